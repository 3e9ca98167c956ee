package io.cervella.planner.workload;

import io.cervella.core.config.ConfigException;

/**
 * The model as served: its name, the size of its weights (what bounds decoding speed) and, when known,
 * its KV cache per token (what bounds how many requests a GPU holds at once).
 */
public record ModelSpec(String name, Double weightsGb, Double kvCacheKibPerToken) {
    public ModelSpec {
        ConfigException.check(name != null && !name.isBlank(), "name", "is required");
        ConfigException.check(weightsGb != null && weightsGb > 0, "weights_gb", "is required and must be positive");
        ConfigException.check(kvCacheKibPerToken == null || kvCacheKibPerToken > 0, "kv_cache_kib_per_token", "must be positive");
    }
}
