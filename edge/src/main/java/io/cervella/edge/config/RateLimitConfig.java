package io.cervella.edge.config;

import io.cervella.core.config.ConfigException;

/**
 * {@code rate_limits}: token buckets per client address and per API key. {@code store}: {@code local}
 * (this node's memory) or {@code database} (PostgreSQL, shared by the nodes behind one load balancer);
 * absent: {@code database} when the platform runs on PostgreSQL, else {@code local}.
 */
public record RateLimitConfig(Rate perIp, Rate perKey, String store) {
    public RateLimitConfig {
        // per address: far above one person or one syncing device, far below a flood; per key: off (keys carry their own rpm)
        perIp = perIp == null ? new Rate(500.0, 1000) : perIp;
        perKey = perKey == null ? new Rate(0.0, null) : perKey;
        ConfigException.check(store == null || store.equals("local") || store.equals("database"), "rate_limits.store",
                "must be local or database, was '" + store + "'");
    }

    public static RateLimitConfig defaults() {
        return new RateLimitConfig(null, null, null);
    }

    /** Sustained requests per second and the burst above it; 0 requests per second turns the limit off. */
    public record Rate(Double requestsPerSecond, Integer burst) {
        public Rate {
            requestsPerSecond = requestsPerSecond == null ? 0.0 : requestsPerSecond;
            ConfigException.check(requestsPerSecond >= 0, "requests_per_second", "must not be negative");
            burst = burst == null ? (int) Math.max(1, Math.ceil(requestsPerSecond)) : burst;
            ConfigException.check(burst >= 1, "burst", "must be at least 1");
        }

        public boolean enabled() {
            return requestsPerSecond > 0;
        }
    }
}
