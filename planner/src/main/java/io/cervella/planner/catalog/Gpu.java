package io.cervella.planner.catalog;

import io.cervella.core.config.ConfigException;

/** The GPU of an offer: model, how many, memory and memory bandwidth (what bounds decoding). */
public record Gpu(String model, Integer count, Double memoryGb, Double bandwidthGbS) {
    public Gpu {
        ConfigException.check(model != null && !model.isBlank(), "model", "is required");
        count = count == null ? 1 : count;
        ConfigException.check(count >= 1, "count", "must be at least 1");
        ConfigException.check(memoryGb == null || memoryGb > 0, "memory_gb", "must be positive");
        ConfigException.check(bandwidthGbS == null || bandwidthGbS > 0, "bandwidth_gb_s", "must be positive");
    }
}
