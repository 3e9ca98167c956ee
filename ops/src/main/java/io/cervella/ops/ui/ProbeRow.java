package io.cervella.ops.ui;

import java.time.Instant;

/** An uptime probe as the dashboard shows it; uptimes are shares (0..1), null before any run in the window. */
public record ProbeRow(String name, String url, boolean up, Instant since, String lastError,
                       Double uptime24h, Double uptime7d, Double uptime30d) {}
