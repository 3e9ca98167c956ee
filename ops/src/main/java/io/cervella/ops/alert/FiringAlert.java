package io.cervella.ops.alert;

import java.time.Instant;

/** An alert firing now (for the dashboard and the admin API): since when, last announced when. */
public record FiringAlert(String rule, String subject, Severity severity, String summary, Instant since,
                          Instant lastSent) {}
