package io.cervella.ops.config;

import io.cervella.core.config.ConfigException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Uptime probes: every hosted app (its health-check path on each upstream; up when one answers) unless
 * {@code hosted_apps: false}, and the URLs listed. Results are kept {@code keep_days} for the 24 h /
 * 7 d / 30 d uptime figures.
 */
public record ProbesConfig(Boolean hostedApps, Integer intervalSeconds, Integer timeoutSeconds, Integer keepDays,
                           List<ProbeConfig> urls) {
    public ProbesConfig {
        hostedApps = hostedApps == null || hostedApps;
        intervalSeconds = intervalSeconds == null ? 60 : intervalSeconds;
        timeoutSeconds = timeoutSeconds == null ? 10 : timeoutSeconds;
        keepDays = keepDays == null ? 31 : keepDays;
        urls = urls == null ? List.of() : List.copyOf(urls);
        ConfigException.check(intervalSeconds >= 1, "ops.probes.interval_seconds", "must be at least 1");
        ConfigException.check(timeoutSeconds >= 1, "ops.probes.timeout_seconds", "must be at least 1");
        ConfigException.check(keepDays >= 30, "ops.probes.keep_days", "must be at least 30 (the 30-day uptime needs them)");
        Set<String> names = new HashSet<>();
        for (ProbeConfig p : urls) {
            ConfigException.check(names.add(p.name()), "ops.probes.urls", "'" + p.name() + "' is used twice");
        }
    }

    public static ProbesConfig defaults() {
        return new ProbesConfig(null, null, null, null, null);
    }

    public int intervalOf(ProbeConfig p) {
        return p.intervalSeconds() == null ? intervalSeconds : p.intervalSeconds();
    }

    public int timeoutOf(ProbeConfig p) {
        return p.timeoutSeconds() == null ? timeoutSeconds : p.timeoutSeconds();
    }
}
