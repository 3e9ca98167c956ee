package io.cervella.ops.probe;

import java.time.Instant;

/**
 * One bucket of a probe's history, from {@code start} for the bucket's width: how many runs, how many
 * up, their share (null: no runs, a gap in the chart) and their mean latency (null: no runs).
 */
public record HistoryPoint(Instant start, long runs, long upRuns, Double upShare, Double latencyMs) {}
