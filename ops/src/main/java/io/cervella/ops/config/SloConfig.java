package io.cervella.ops.config;

import io.cervella.core.config.ConfigException;

/** The models' latency objective: time to first token, 95th percentile, over a sliding window. */
public record SloConfig(Double ttftP95Seconds, Integer windowMinutes) {
    public SloConfig {
        ttftP95Seconds = ttftP95Seconds == null ? 2.0 : ttftP95Seconds;
        windowMinutes = windowMinutes == null ? 60 : windowMinutes;
        ConfigException.check(ttftP95Seconds > 0, "ops.slo.ttft_p95_seconds", "must be positive");
        ConfigException.check(windowMinutes >= 1, "ops.slo.window_minutes", "must be at least 1");
    }

    public static SloConfig defaults() {
        return new SloConfig(null, null);
    }
}
