package io.cervella.ops.config;

import io.cervella.core.config.ConfigException;

/** An uptime probe of any URL: up when it answers 2xx or 3xx within the timeout. */
public record ProbeConfig(String name, String url, Integer intervalSeconds, Integer timeoutSeconds, String caFile) {
    public ProbeConfig {
        ConfigException.check(name != null && !name.isBlank() && !name.startsWith("app:"), "ops.probes.urls[].name",
                "is required and must not start with 'app:' (the hosted apps' probes are named so)");
        ConfigException.check(url != null && (url.startsWith("https://") || url.startsWith("http://")),
                "ops.probes.urls[" + name + "].url", "must be an http(s) URL");
        ConfigException.check(intervalSeconds == null || intervalSeconds >= 1, "ops.probes.urls[" + name + "].interval_seconds",
                "must be at least 1");
        ConfigException.check(timeoutSeconds == null || timeoutSeconds >= 1, "ops.probes.urls[" + name + "].timeout_seconds",
                "must be at least 1");
    }
}
