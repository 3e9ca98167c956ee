package io.cervella.edge.config;

import io.cervella.core.config.ConfigException;
import java.util.List;
import java.util.Locale;

/**
 * One hosted app: reached under {@code prefix} (default {@code /apps/NAME/}) and, when {@code hosts}
 * are given, only for requests to those host names (SNI and Host), where the prefix defaults to
 * {@code /}. Requests go to one of {@code upstreams} by {@code policy}; the prefix is taken off the
 * path unless {@code strip_prefix} is false. {@code auth}: {@code key} (a Cervella key with the
 * {@code apps} scope, not passed on) or {@code none} (the app checks its callers itself).
 */
public record AppConfig(String name, String prefix, List<String> hosts, List<UpstreamConfig> upstreams,
                        String policy, HealthCheckConfig healthCheck, TimeoutsConfig timeouts, Integer retries,
                        BreakerConfig circuitBreaker, String auth, Boolean stripPrefix, String caFile,
                        AccessRules firewall, Long maxBodyBytes) {
    public AppConfig {
        ConfigException.check(name != null && name.matches("[a-z0-9][a-z0-9-]{0,62}"), "name",
                "must be lower-case letters, digits and dashes, was '" + name + "'");
        hosts = hosts == null ? List.of() : hosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        for (String h : hosts) {
            ConfigException.check(h.matches("(\\*\\.)?[a-z0-9.-]+"), "hosts", "'" + h + "' is not a host name");
        }
        prefix = prefix == null ? (hosts.isEmpty() ? "/apps/" + name + "/" : "/") : prefix;
        ConfigException.check(prefix.startsWith("/") && prefix.endsWith("/"), "prefix",
                "must start and end with '/', was '" + prefix + "'");
        upstreams = upstreams == null ? List.of() : List.copyOf(upstreams);
        ConfigException.check(!upstreams.isEmpty(), "upstreams", "give at least one upstream URL");
        policy = policy == null ? "round_robin" : policy;
        ConfigException.check(List.of("round_robin", "least_requests", "weighted").contains(policy), "policy",
                "must be round_robin, least_requests or weighted, was '" + policy + "'");
        healthCheck = healthCheck == null ? HealthCheckConfig.defaults() : healthCheck;
        timeouts = timeouts == null ? TimeoutsConfig.defaults() : timeouts;
        retries = retries == null ? 2 : retries;
        ConfigException.check(retries >= 0 && retries <= 10, "retries", "must be between 0 and 10");
        circuitBreaker = circuitBreaker == null ? BreakerConfig.defaults() : circuitBreaker;
        auth = auth == null ? "key" : auth;
        ConfigException.check(auth.equals("key") || auth.equals("none"), "auth", "must be key or none, was '" + auth + "'");
        stripPrefix = stripPrefix == null || stripPrefix;
        firewall = firewall == null ? AccessRules.none() : firewall;
        maxBodyBytes = maxBodyBytes == null ? 64L * 1024 * 1024 : maxBodyBytes;
        ConfigException.check(maxBodyBytes > 0, "max_body_bytes", "must be positive");
    }

    public boolean requiresKey() {
        return auth.equals("key");
    }

    /** {@code url} and an optional {@code weight} (for the weighted policy; default 1). */
    public record UpstreamConfig(String url, Integer weight) {
        public UpstreamConfig {
            ConfigException.check(url != null && url.matches("https?://[^/?#\\s]+(/[^?#\\s]*)?"), "url",
                    "must be an http:// or https:// URL without query, was '" + url + "'");
            url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            weight = weight == null ? 1 : weight;
            ConfigException.check(weight >= 1 && weight <= 1000, "weight", "must be between 1 and 1000");
        }
    }

    /** Active checks: GET {@code path} every {@code interval}; a 2xx or 3xx within {@code timeout} passes. */
    public record HealthCheckConfig(String path, Double intervalSeconds, Double timeoutSeconds, Integer healthyThreshold,
                                    Integer unhealthyThreshold) {
        public HealthCheckConfig {
            path = path == null ? "/" : path;
            ConfigException.check(path.startsWith("/"), "health_check.path", "must start with /");
            intervalSeconds = intervalSeconds == null ? 5.0 : intervalSeconds;
            timeoutSeconds = timeoutSeconds == null ? 2.0 : timeoutSeconds;
            healthyThreshold = healthyThreshold == null ? 2 : healthyThreshold;
            unhealthyThreshold = unhealthyThreshold == null ? 2 : unhealthyThreshold;
            ConfigException.check(intervalSeconds >= 0.05, "health_check.interval_seconds", "must be at least 0.05");
            ConfigException.check(timeoutSeconds > 0, "health_check.timeout_seconds", "must be positive");
            ConfigException.check(healthyThreshold >= 1, "health_check.healthy_threshold", "must be at least 1");
            ConfigException.check(unhealthyThreshold >= 1, "health_check.unhealthy_threshold", "must be at least 1");
        }

        public static HealthCheckConfig defaults() {
            return new HealthCheckConfig(null, null, null, null, null);
        }
    }

    /** Connecting to an upstream, and the whole exchange (0: no limit, for long streams). */
    public record TimeoutsConfig(Double connectSeconds, Double responseSeconds, Double idleSeconds) {
        public TimeoutsConfig {
            connectSeconds = connectSeconds == null ? 5.0 : connectSeconds;
            responseSeconds = responseSeconds == null ? 0.0 : responseSeconds;
            idleSeconds = idleSeconds == null ? 60.0 : idleSeconds;
            ConfigException.check(connectSeconds > 0, "timeouts.connect_seconds", "must be positive");
            ConfigException.check(responseSeconds >= 0, "timeouts.response_seconds", "must not be negative");
            ConfigException.check(idleSeconds > 0, "timeouts.idle_seconds", "must be positive");
        }

        public static TimeoutsConfig defaults() {
            return new TimeoutsConfig(null, null, null);
        }
    }

    /**
     * Per upstream: after {@code failures} failed exchanges in a row (no connection, a timeout, a 502,
     * 503 or 504) it gets no traffic for {@code open_seconds}; then one trial request decides.
     */
    public record BreakerConfig(Integer failures, Double openSeconds) {
        public BreakerConfig {
            failures = failures == null ? 5 : failures;
            openSeconds = openSeconds == null ? 30.0 : openSeconds;
            ConfigException.check(failures >= 1, "circuit_breaker.failures", "must be at least 1");
            ConfigException.check(openSeconds > 0, "circuit_breaker.open_seconds", "must be positive");
        }

        public static BreakerConfig defaults() {
            return new BreakerConfig(null, null);
        }
    }
}
