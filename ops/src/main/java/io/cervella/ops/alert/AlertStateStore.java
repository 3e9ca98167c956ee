package io.cervella.ops.alert;

import io.cervella.core.store.MetadataStore;
import java.time.Instant;
import java.util.List;

/**
 * ops_alert_state, shared by every node. Each change is a conditional write (insert if absent, update
 * where the state is still the one read): of two nodes making the same change, only one write changes
 * the row, and only the node whose write did sends the message. The SQL runs unchanged on SQLite
 * (3.24+) and PostgreSQL.
 */
final class AlertStateStore {
    private final MetadataStore store;

    AlertStateStore(MetadataStore store) {
        this.store = store;
    }

    List<AlertState> all() {
        return store.jdbi().withHandle(h -> h.createQuery(
                        "SELECT rule, subject, state, since, last_sent, summary FROM ops_alert_state ORDER BY since, rule, subject")
                .map((rs, ctx) -> new AlertState(rs.getString("rule"), rs.getString("subject"),
                        AlertStatus.of(rs.getString("state")), Instant.ofEpochMilli(rs.getLong("since")),
                        Instant.ofEpochMilli(rs.getLong("last_sent")), rs.getString("summary")))
                .list());
    }

    /** A new alert: true when this call created the row (no node had announced it before). */
    boolean insertFiring(Alert a, Instant now) {
        return store.jdbi().withHandle(h -> h.createUpdate("""
                        INSERT INTO ops_alert_state (rule, subject, state, since, last_sent, summary)
                        VALUES (:rule, :subject, 'firing', :now, :now, :summary)
                        ON CONFLICT (rule, subject) DO NOTHING""")
                .bind("rule", a.rule()).bind("subject", a.subject()).bind("now", now.toEpochMilli())
                .bind("summary", a.summary())
                .execute()) == 1;
    }

    /** A resolved alert firing again: true when this call made the change. */
    boolean refire(Alert a, Instant now) {
        return store.jdbi().withHandle(h -> h.createUpdate("""
                        UPDATE ops_alert_state SET state = 'firing', since = :now, last_sent = :now, summary = :summary
                        WHERE rule = :rule AND subject = :subject AND state = 'resolved'""")
                .bind("rule", a.rule()).bind("subject", a.subject()).bind("now", now.toEpochMilli())
                .bind("summary", a.summary())
                .execute()) == 1;
    }

    /** A firing alert due again: true when this call moved last_sent on from the value read. */
    boolean markRepeated(Alert a, Instant lastSentRead, Instant now) {
        return store.jdbi().withHandle(h -> h.createUpdate("""
                        UPDATE ops_alert_state SET last_sent = :now, summary = :summary
                        WHERE rule = :rule AND subject = :subject AND state = 'firing' AND last_sent = :read""")
                .bind("rule", a.rule()).bind("subject", a.subject()).bind("now", now.toEpochMilli())
                .bind("read", lastSentRead.toEpochMilli()).bind("summary", a.summary())
                .execute()) == 1;
    }

    /** A firing alert whose condition cleared: true when this call made the change. */
    boolean resolve(AlertKey key, Instant now) {
        return store.jdbi().withHandle(h -> h.createUpdate("""
                        UPDATE ops_alert_state SET state = 'resolved', since = :now, last_sent = :now
                        WHERE rule = :rule AND subject = :subject AND state = 'firing'""")
                .bind("rule", key.rule()).bind("subject", key.subject()).bind("now", now.toEpochMilli())
                .execute()) == 1;
    }
}
