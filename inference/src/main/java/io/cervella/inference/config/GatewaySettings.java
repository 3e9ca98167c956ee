package io.cervella.inference.config;

import io.cervella.core.config.ConfigException;

/**
 * How the gateway watches its backends. Defaults: probe every 10 s, 5 s per probe.
 */
public record GatewaySettings(Double healthCheckIntervalSeconds, Double healthCheckTimeoutSeconds) {
    public GatewaySettings {
        healthCheckIntervalSeconds = healthCheckIntervalSeconds == null ? 10.0 : healthCheckIntervalSeconds;
        healthCheckTimeoutSeconds = healthCheckTimeoutSeconds == null ? 5.0 : healthCheckTimeoutSeconds;
        ConfigException.check(healthCheckIntervalSeconds > 0, "health_check_interval_seconds", "must be positive");
        ConfigException.check(healthCheckTimeoutSeconds > 0, "health_check_timeout_seconds", "must be positive");
    }

    public static GatewaySettings defaults() {
        return new GatewaySettings(null, null);
    }
}
