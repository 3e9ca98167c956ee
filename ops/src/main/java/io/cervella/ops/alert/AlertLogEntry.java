package io.cervella.ops.alert;

import java.time.Instant;

/**
 * One row of ops_alert_log: one try to deliver a message to a webhook (named as in the config, never
 * by URL), whether the receiver took it, and its status or the error.
 */
public record AlertLogEntry(String id, Instant at, String rule, String subject, AlertStatus status, Severity severity,
                            String summary, String webhook, boolean delivered, String response) {}
