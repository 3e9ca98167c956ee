package io.cervella.ops.probe;

import java.time.Duration;

/** The uptime windows the dashboard and the metrics show, with the width of a chart's bucket in each. */
public enum UptimeWindow {
    DAY("24h", Duration.ofHours(24), Duration.ofMinutes(15)),
    WEEK("7d", Duration.ofDays(7), Duration.ofHours(1)),
    MONTH("30d", Duration.ofDays(30), Duration.ofHours(6));

    private final String label;
    private final Duration length;
    private final Duration bucket;

    UptimeWindow(String label, Duration length, Duration bucket) {
        this.label = label;
        this.length = length;
        this.bucket = bucket;
    }

    /** As in the metrics' {@code window} tag: 24h, 7d, 30d. */
    public String label() { return label; }

    public Duration length() { return length; }

    public Duration bucket() { return bucket; }
}
