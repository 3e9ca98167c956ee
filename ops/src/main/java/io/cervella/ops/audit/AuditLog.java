package io.cervella.ops.audit;

import io.cervella.core.audit.AdminActions;

import io.cervella.core.http.Json;
import io.cervella.core.store.MetadataStore;
import io.cervella.core.store.StoreException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import tools.jackson.databind.node.ObjectNode;

/**
 * The audit log of admin actions (table {@code ops_audit}): append, list, verify. There is no update
 * and no delete, here or anywhere in the API. Every node appends to the one chain in the shared
 * database; the format and the hash are specified in docs/formats/data-directory.md, "The audit log".
 */
public final class AuditLog implements AdminActions {
    private static final String COLUMNS = "seq, ts, actor, action, target, detail, prev_hash, hash";
    private static final Pattern ACTION = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");
    /** A whole API key (core's ApiKeys: ck_ then 55 URL-safe characters): never written here. */
    private static final Pattern API_KEY = Pattern.compile("ck_[A-Za-z0-9_-]{55}");
    private static final int MAX_ATTEMPTS = 200;
    private static final int VERIFY_PAGE = 1000;

    private final MetadataStore store;
    private final Clock clock;
    /** This node's appends queue here, so that only other nodes' appends can collide in the database. */
    private final ReentrantLock appendLock = new ReentrantLock();

    public AuditLog(MetadataStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The layers' way in ({@link AdminActions}): the same as {@link #append(String, String, String, Map)}. */
    @Override
    public void record(String actor, String action, String target, Map<String, ?> detail) {
        append(actor, action, target, detail);
    }

    /** Appends one action; {@code detail} (may be empty) must never hold a secret: refer to keys by id. */
    public AuditEntry append(String actor, String action, String target, Map<String, ?> detail) {
        ObjectNode node = Json.MAPPER.valueToTree(detail == null ? Map.of() : detail);
        return append(actor, action, target, node);
    }

    public AuditEntry append(String actor, String action, String target, ObjectNode detail) {
        String tgt = target == null ? "" : target;
        String detailText = Json.MAPPER.writeValueAsString(detail == null ? Json.object() : detail);
        check(actor != null && length(actor) <= 200, "actor", "is required, at most 200 characters");
        check(action != null && ACTION.matcher(action).matches(), "action",
                "must be 1 to 64 of a-z 0-9 _ . - starting with a letter: " + action);
        check(length(tgt) <= 400, "target", "must be at most 400 characters");
        check(actor.indexOf('\0') < 0 && tgt.indexOf('\0') < 0, "actor and target", "must not contain U+0000");
        check(!API_KEY.matcher(actor).find() && !API_KEY.matcher(tgt).find() && !API_KEY.matcher(detailText).find(),
                "audit entry", "looks like it holds an API key: refer to keys by their id");
        appendLock.lock();
        try {
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                Optional<AuditEntry> added = store.jdbi().inTransaction(h -> tryAppend(h, actor, action, tgt, detailText));
                if (added.isPresent()) {
                    return added.get();
                }
                // another node took that seq: start again from the new last row, after a short random pause
                Thread.sleep(ThreadLocalRandom.current().nextInt(1 + Math.min(attempt, 20)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while appending to the audit log", e);
        } finally {
            appendLock.unlock();
        }
        throw new StoreException("could not append to the audit log after " + MAX_ATTEMPTS + " tries (other nodes kept winning)", null);
    }

    private Optional<AuditEntry> tryAppend(Handle h, String actor, String action, String target, String detail) {
        Optional<String[]> last = h.createQuery("SELECT seq, hash FROM ops_audit ORDER BY seq DESC LIMIT 1")
                .map((rs, ctx) -> new String[] {Long.toString(rs.getLong(1)), rs.getString(2)})
                .findOne();
        long seq = last.map(l -> Long.parseLong(l[0]) + 1).orElse(1L);
        String prev = last.map(l -> l[1]).orElse(AuditHash.FIRST_PREV);
        long ts = clock.millis();
        String hash = AuditHash.of(prev, seq, ts, actor, action, target, detail);
        int inserted = h.createUpdate("INSERT INTO ops_audit (" + COLUMNS + ") VALUES "
                        + "(:seq, :ts, :actor, :action, :target, :detail, :prev, :hash) ON CONFLICT (seq) DO NOTHING")
                .bind("seq", seq).bind("ts", ts).bind("actor", actor).bind("action", action).bind("target", target)
                .bind("detail", detail).bind("prev", prev).bind("hash", hash)
                .execute();
        if (inserted != 1) {
            return Optional.empty();
        }
        return Optional.of(new AuditEntry(seq, Instant.ofEpochMilli(ts), actor, action, target,
                (ObjectNode) Json.MAPPER.readTree(detail), prev, hash));
    }

    /** The rows the query selects, newest first. */
    public List<AuditEntry> list(AuditQuery q) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM ops_audit WHERE 1 = 1");
        if (q.since() != null) {
            sql.append(" AND ts >= :since");
        }
        if (q.beforeSeq() != null) {
            sql.append(" AND seq < :before");
        }
        boolean prefix = q.action() != null && q.action().endsWith(".");
        if (q.action() != null) {
            sql.append(prefix ? " AND substr(action, 1, :prefixLength) = :action" : " AND action = :action");
        }
        sql.append(" ORDER BY seq DESC LIMIT :limit");
        return store.jdbi().withHandle(h -> {
            Query query = h.createQuery(sql.toString()).bind("limit", q.limit());
            if (q.since() != null) {
                query.bind("since", q.since().toEpochMilli());
            }
            if (q.beforeSeq() != null) {
                query.bind("before", q.beforeSeq().longValue());
            }
            if (q.action() != null) {
                query.bind("action", q.action());
                if (prefix) {
                    query.bind("prefixLength", q.action().length());
                }
            }
            return query.map((rs, ctx) -> read(rs)).list();
        });
    }

    /** The last row: its seq and hash, to be noted elsewhere (only that shows rows cut off the end). */
    public Optional<AuditEntry> head() {
        return store.jdbi().withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM ops_audit ORDER BY seq DESC LIMIT 1")
                .map((rs, ctx) -> read(rs))
                .findOne());
    }

    /**
     * Reads the whole chain in seq order (a page at a time) and reports the first row that is missing,
     * does not link to the row before it, or does not hash to its own hash.
     */
    public AuditVerification verify() {
        long expected = 1;
        String prevHash = AuditHash.FIRST_PREV;
        while (true) {
            long from = expected;
            List<RawRow> page = store.jdbi().withHandle(h -> h.createQuery("SELECT " + COLUMNS
                            + " FROM ops_audit WHERE seq >= :from ORDER BY seq LIMIT :n")
                    .bind("from", from).bind("n", VERIFY_PAGE)
                    .map((rs, ctx) -> raw(rs))
                    .list());
            if (page.isEmpty()) {
                return AuditVerification.good(expected - 1);
            }
            for (RawRow r : page) {
                if (r.seq != expected) {
                    return AuditVerification.bad(expected - 1, expected, "row " + expected + " is missing (the next is " + r.seq + ")");
                }
                if (!r.prevHash.equals(prevHash)) {
                    return AuditVerification.bad(expected - 1, r.seq, "its prev_hash is not the hash of row " + (r.seq - 1));
                }
                String computed = AuditHash.of(r.prevHash, r.seq, r.ts, r.actor, r.action, r.target, r.detail);
                if (!computed.equals(r.hash)) {
                    return AuditVerification.bad(expected - 1, r.seq, "its hash does not match its fields");
                }
                prevHash = r.hash;
                expected++;
            }
        }
    }

    /** A row as stored: verify() hashes the stored text, never a re-serialization of it. */
    private record RawRow(long seq, long ts, String actor, String action, String target, String detail,
                          String prevHash, String hash) {}

    private static RawRow raw(ResultSet rs) throws SQLException {
        return new RawRow(rs.getLong("seq"), rs.getLong("ts"), rs.getString("actor"), rs.getString("action"),
                rs.getString("target"), rs.getString("detail"), rs.getString("prev_hash"), rs.getString("hash"));
    }

    private static AuditEntry read(ResultSet rs) throws SQLException {
        RawRow r = raw(rs);
        return new AuditEntry(r.seq, Instant.ofEpochMilli(r.ts), r.actor, r.action, r.target, detailNode(r.detail),
                r.prevHash, r.hash);
    }

    /** An edited row may hold anything: it is still listed, its detail then kept as text under "unparsed". */
    private static ObjectNode detailNode(String text) {
        try {
            if (Json.MAPPER.readTree(text) instanceof ObjectNode o) {
                return o;
            }
        } catch (RuntimeException e) {
            // fall through
        }
        ObjectNode o = Json.object();
        o.put("unparsed", text);
        return o;
    }

    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    private static void check(boolean ok, String what, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(what + " " + problem);
        }
    }
}
