package io.cervella.ops.alert;

import io.cervella.core.store.MetadataStore;
import io.cervella.core.usage.TimeOrderedIds;
import java.time.Instant;
import java.util.List;

/** ops_alert_log: every try to deliver a message, newest first when read. */
public final class AlertLog {
    private static final int MAX_RESPONSE = 400;
    private static final int MAX_SUBJECT = 400;

    private final MetadataStore store;

    public AlertLog(MetadataStore store) {
        this.store = store;
    }

    void append(AlertMessage m, String webhook, Instant at, boolean delivered, String response) {
        store.jdbi().useHandle(h -> h.createUpdate("""
                        INSERT INTO ops_alert_log (id, ts, rule, subject, state, severity, summary, webhook, delivered, response)
                        VALUES (:id, :ts, :rule, :subject, :state, :severity, :summary, :webhook, :delivered, :response)""")
                .bind("id", TimeOrderedIds.next(at.toEpochMilli()))
                .bind("ts", at.toEpochMilli())
                .bind("rule", m.rule())
                .bind("subject", Text.clip(m.subject(), MAX_SUBJECT))
                .bind("state", m.status().label())
                .bind("severity", m.severity().label())
                .bind("summary", m.summary())
                .bind("webhook", webhook)
                .bind("delivered", delivered ? 1 : 0)
                .bind("response", Text.clip(response, MAX_RESPONSE))
                .execute());
    }

    /** The latest {@code limit} rows, newest first. */
    public List<AlertLogEntry> recent(int limit) {
        return store.jdbi().withHandle(h -> h.createQuery("""
                        SELECT id, ts, rule, subject, state, severity, summary, webhook, delivered, response
                        FROM ops_alert_log ORDER BY ts DESC, id DESC LIMIT :limit""")
                .bind("limit", Math.max(0, limit))
                .map((rs, ctx) -> new AlertLogEntry(rs.getString("id"), Instant.ofEpochMilli(rs.getLong("ts")),
                        rs.getString("rule"), rs.getString("subject"), AlertStatus.of(rs.getString("state")),
                        Severity.of(rs.getString("severity")), rs.getString("summary"), rs.getString("webhook"),
                        rs.getInt("delivered") == 1, rs.getString("response")))
                .list());
    }
}
