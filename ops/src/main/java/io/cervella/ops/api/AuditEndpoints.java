package io.cervella.ops.api;

import io.cervella.core.http.ApiException;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Route;
import io.cervella.core.keys.Scope;
import io.cervella.ops.audit.AuditEntry;
import io.cervella.ops.audit.AuditLog;
import io.cervella.ops.audit.AuditQuery;
import io.cervella.ops.audit.AuditVerification;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GET /admin/audit (newest first; {@code since}, {@code action}, {@code before_seq}, {@code limit})
 * and GET /admin/audit/verify (the hash chain checked). Reads only: the API has no way to change
 * or delete an entry.
 */
public final class AuditEndpoints {
    private final AuditLog log;

    public AuditEndpoints(AuditLog log) {
        this.log = log;
    }

    public List<Route> routes() {
        return List.of(
                Route.of("GET", "/admin/audit", Scope.ADMIN, this::list),
                Route.of("GET", "/admin/audit/verify", Scope.ADMIN, this::verify));
    }

    private void list(Exchange ex) throws IOException {
        AuditQuery q;
        try {
            Instant since = ex.query("since").map(Instant::parse).orElse(null);
            if (since != null && (since.isBefore(Instant.EPOCH) || since.isAfter(Instant.parse("9999-12-31T23:59:59Z")))) {
                throw new IllegalArgumentException("since is out of range");
            }
            Long before = ex.query("before_seq").map(Long::parseLong).orElse(null);
            int limit = ex.query("limit").map(Integer::parseInt).orElse(100);
            q = new AuditQuery(since, ex.query("action").orElse(null), before, limit);
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_value", "since (ISO-8601 instant), before_seq, limit (1-1000): " + e.getMessage());
        }
        ex.sendJson(200, Map.of("data", log.list(q).stream().map(AuditEndpoints::json).toList()));
    }

    private void verify(Exchange ex) throws IOException {
        AuditVerification v = log.verify();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", v.ok());
        out.put("rows_checked", v.rowsChecked());
        out.put("first_bad_seq", v.firstBadSeq());
        out.put("problem", v.problem());
        ex.sendJson(200, out);
    }

    private static Map<String, Object> json(AuditEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", e.seq());
        m.put("ts", e.ts().toString());
        m.put("actor", e.actor());
        m.put("action", e.action());
        m.put("target", e.target());
        m.put("detail", e.detail());
        m.put("hash", e.hash());
        return m;
    }
}
