package io.cervella.ops.alert;

import java.time.Instant;

/**
 * One announcement of an alert: it fires (for the first time, or again after {@code repeat_minutes}),
 * or it resolved. {@code resolvedAt} is null while firing; {@code node} is the node that sent it.
 */
public record AlertMessage(AlertStatus status, String rule, String subject, Severity severity, String summary,
                           Instant startedAt, Instant resolvedAt, String node) {

    /** The one line the chat formats (Slack, Discord, Telegram) show. */
    public String text() {
        if (status == AlertStatus.RESOLVED) {
            return "[RESOLVED] " + rule + " " + subject + ": " + summary + " (firing since " + startedAt
                    + ", resolved at " + resolvedAt + ", node " + node + ")";
        }
        return "[FIRING, " + severity.label() + "] " + rule + " " + subject + ": " + summary + " (since " + startedAt
                + ", node " + node + ")";
    }
}
