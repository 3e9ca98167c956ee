package io.cervella.ops.alert;

import java.time.Instant;

/** One row of ops_alert_state: the state an alert was last announced in, since when, and when last sent. */
public record AlertState(String rule, String subject, AlertStatus status, Instant since, Instant lastSent,
                         String summary) {
    public AlertKey key() {
        return new AlertKey(rule, subject);
    }
}
