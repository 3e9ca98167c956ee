package io.cervella.core.config;

import java.util.List;

/**
 * The listener. {@code hostnames} are extra names for the generated certificate's SANs.
 * Defaults: bind 0.0.0.0, port 8443, 4 MiB request bodies, 30 s to drain on shutdown.
 */
public record ServerConfig(String bind, Integer port, List<String> hostnames, Long maxBodyBytes,
                           Integer shutdownTimeoutSeconds) {
    public static final int DEFAULT_PORT = 8443;

    public ServerConfig {
        bind = bind == null ? "0.0.0.0" : bind;
        port = port == null ? DEFAULT_PORT : port;
        hostnames = hostnames == null ? List.of() : List.copyOf(hostnames);
        maxBodyBytes = maxBodyBytes == null ? 4L * 1024 * 1024 : maxBodyBytes;
        shutdownTimeoutSeconds = shutdownTimeoutSeconds == null ? 30 : shutdownTimeoutSeconds;
        ConfigException.check(port >= 0 && port <= 65535, "port", "must be between 0 and 65535, was " + port);
        ConfigException.check(maxBodyBytes > 0, "max_body_bytes", "must be positive, was " + maxBodyBytes);
        ConfigException.check(shutdownTimeoutSeconds >= 0, "shutdown_timeout_seconds", "must not be negative");
        for (String h : hostnames) {
            ConfigException.check(h != null && !h.isBlank() && !h.contains(" "), "hostnames",
                    "each entry must be a host name or IP address, was '" + h + "'");
        }
    }

    public static ServerConfig defaults() {
        return new ServerConfig(null, null, null, null, null);
    }

    public ServerConfig withBind(String newBind) {
        return new ServerConfig(newBind, port, hostnames, maxBodyBytes, shutdownTimeoutSeconds);
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(bind, newPort, hostnames, maxBodyBytes, shutdownTimeoutSeconds);
    }
}
