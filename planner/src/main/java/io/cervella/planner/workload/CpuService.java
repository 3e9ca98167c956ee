package io.cervella.planner.workload;

import io.cervella.core.config.ConfigException;

/** A CPU service to host besides the model: its share of CPUs and memory. */
public record CpuService(String name, Double vcpus, Double memoryGb) {
    public CpuService {
        ConfigException.check(name != null && !name.isBlank(), "name", "is required");
        ConfigException.check(vcpus != null && vcpus > 0, "vcpus", "is required and must be positive");
        ConfigException.check(memoryGb != null && memoryGb > 0, "memory_gb", "is required and must be positive");
    }
}
