package io.cervella.backup.service;

import java.time.Instant;

/** What /admin/backups says of a target: its last run, its last success, the next run, and whether it is late. */
public record TargetStatus(String target, String where, String schedule, Instant lastRun, String lastResult, String lastError,
                           Instant lastSuccess, String lastSnapshot, long lastFiles, long lastBytes, long lastNewBytes,
                           long lastDurationMs, Instant nextRun, boolean late, boolean running) {}
