package io.cervella.planner.workload;

import io.cervella.core.config.ConfigException;

/** The model as served: its name and the size of its weights (what bounds decoding speed). */
public record ModelSpec(String name, Double weightsGb) {
    public ModelSpec {
        ConfigException.check(name != null && !name.isBlank(), "name", "is required");
        ConfigException.check(weightsGb != null && weightsGb > 0, "weights_gb", "is required and must be positive");
    }
}
