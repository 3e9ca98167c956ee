package io.cervella.ops.audit;

import java.time.Instant;

/**
 * Which audit rows to list, newest first: those at or after {@code since} (null: any), whose action is
 * {@code action} — or starts with it when it ends with a dot, {@code "key."} — (null: any), with a
 * {@code seq} below {@code beforeSeq} (null: from the newest; the next page passes the last seq seen),
 * at most {@code limit} (1 to 1000).
 */
public record AuditQuery(Instant since, String action, Long beforeSeq, int limit) {
    public static final int MAX_LIMIT = 1000;

    public AuditQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ": " + limit);
        }
    }

    public static AuditQuery latest(int limit) {
        return new AuditQuery(null, null, null, limit);
    }
}
