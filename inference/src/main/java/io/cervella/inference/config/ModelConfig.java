package io.cervella.inference.config;

import io.cervella.core.config.ConfigException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A model clients ask for by {@code name}, and the backends that serve it, tried in order.
 *
 * @param contextTokens tokens of context (prompt and answer) every backend of the model takes; default
 *                      4096, the embedded worker's default. The memory's ask fits its prompt into it,
 *                      and embedded workers are started with it
 */
public record ModelConfig(String name, Integer contextTokens, List<BackendConfig> backends) {
    public static final int DEFAULT_CONTEXT_TOKENS = 4096;

    public ModelConfig {
        ConfigException.check(name != null && !name.isBlank(), "name", "is required");
        ConfigException.check(backends != null && !backends.isEmpty(), "backends", "needs at least one backend");
        contextTokens = contextTokens == null ? DEFAULT_CONTEXT_TOKENS : contextTokens;
        ConfigException.check(contextTokens >= 256 && contextTokens <= 1 << 20, "context_tokens",
                "must be between 256 and 1048576, was " + contextTokens);
        backends = List.copyOf(backends);
        Set<String> seen = new HashSet<>();
        for (BackendConfig b : backends) {
            ConfigException.check(seen.add(b.name()), "backends",
                    "two backends are both named '" + b.name() + "'; give them distinct name: values");
        }
    }

    public ModelConfig(String name, List<BackendConfig> backends) {
        this(name, null, backends);
    }
}
