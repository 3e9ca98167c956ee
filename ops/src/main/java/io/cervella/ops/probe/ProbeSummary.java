package io.cervella.ops.probe;

import java.time.Instant;

/**
 * A probe as the dashboard lists it: its state on this node ({@code up} null before its first run) and
 * its uptime over 24 h, 7 d and 30 d from every node's runs (null: no runs in that window).
 */
public record ProbeSummary(String name, String url, Boolean up, Instant since, String lastError,
                           Double uptime24h, Double uptime7d, Double uptime30d) {}
