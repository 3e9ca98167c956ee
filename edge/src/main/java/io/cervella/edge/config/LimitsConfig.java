package io.cervella.edge.config;

import io.cervella.core.config.ConfigException;

/**
 * {@code limits}: what keeps floods and slow clients from taking the node down. Connections in all
 * and per client address; how long a client may take to send its request headers; the slowest data
 * rate tolerated once a body flows (bytes per second, either way); the size of request headers; how
 * many requests run at once before others wait (health checks and {@code /admin} never wait).
 */
public record LimitsConfig(Integer maxConnections, Integer maxConnectionsPerIp, Integer headerTimeoutSeconds,
                           Integer minRequestBytesPerSecond, Integer minResponseBytesPerSecond,
                           Integer maxRequestHeaderBytes, Integer maxConcurrentRequests, Integer maxQueuedRequests,
                           Integer queueTimeoutSeconds) {
    public LimitsConfig {
        maxConnections = or(maxConnections, 10_000);
        maxConnectionsPerIp = or(maxConnectionsPerIp, 256);
        headerTimeoutSeconds = or(headerTimeoutSeconds, 10);
        minRequestBytesPerSecond = or(minRequestBytesPerSecond, 1024);
        // off by default: a token stream from a slow model writes a few bytes a second, and must live
        minResponseBytesPerSecond = or(minResponseBytesPerSecond, 0);
        maxRequestHeaderBytes = or(maxRequestHeaderBytes, 16 * 1024);
        maxConcurrentRequests = or(maxConcurrentRequests, 2_000);
        maxQueuedRequests = or(maxQueuedRequests, 10_000);
        queueTimeoutSeconds = or(queueTimeoutSeconds, 10);
        ConfigException.check(maxConnections >= 1, "limits.max_connections", "must be at least 1");
        ConfigException.check(maxConnectionsPerIp >= 1, "limits.max_connections_per_ip", "must be at least 1");
        ConfigException.check(headerTimeoutSeconds >= 1, "limits.header_timeout_seconds", "must be at least 1");
        ConfigException.check(minRequestBytesPerSecond >= 0, "limits.min_request_bytes_per_second", "must not be negative");
        ConfigException.check(minResponseBytesPerSecond >= 0, "limits.min_response_bytes_per_second", "must not be negative");
        ConfigException.check(maxRequestHeaderBytes >= 1024, "limits.max_request_header_bytes", "must be at least 1024");
        ConfigException.check(maxConcurrentRequests >= 1, "limits.max_concurrent_requests", "must be at least 1");
        ConfigException.check(maxQueuedRequests >= 0, "limits.max_queued_requests", "must not be negative");
        ConfigException.check(queueTimeoutSeconds >= 1, "limits.queue_timeout_seconds", "must be at least 1");
    }

    private static Integer or(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    public static LimitsConfig defaults() {
        return new LimitsConfig(null, null, null, null, null, null, null, null, null);
    }
}
