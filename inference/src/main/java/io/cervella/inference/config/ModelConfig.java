package io.cervella.inference.config;

import io.cervella.core.config.ConfigException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A model clients ask for by {@code name}, and the backends that serve it, tried in order. */
public record ModelConfig(String name, List<BackendConfig> backends) {
    public ModelConfig {
        ConfigException.check(name != null && !name.isBlank(), "name", "is required");
        ConfigException.check(backends != null && !backends.isEmpty(), "backends", "needs at least one backend");
        backends = List.copyOf(backends);
        Set<String> seen = new HashSet<>();
        for (BackendConfig b : backends) {
            ConfigException.check(seen.add(b.name()), "backends",
                    "two backends are both named '" + b.name() + "'; give them distinct name: values");
        }
    }
}
