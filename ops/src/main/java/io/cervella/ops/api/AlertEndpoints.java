package io.cervella.ops.api;

import io.cervella.core.http.ApiException;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Route;
import io.cervella.core.keys.Scope;
import io.cervella.ops.alert.AlertEngine;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** GET /admin/alerts: what is firing now and the latest messages sent to the webhooks (read-only). */
public final class AlertEndpoints {
    private final AlertEngine engine;

    public AlertEndpoints(AlertEngine engine) {
        this.engine = engine;
    }

    public List<Route> routes() {
        return List.of(Route.of("GET", "/admin/alerts", Scope.METRICS, this::list));
    }

    private void list(Exchange ex) throws IOException {
        int limit;
        try {
            limit = Integer.parseInt(ex.query("limit").orElse("50"));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_value", "limit must be a whole number from 1 to 1000");
        }
        if (limit < 1 || limit > 1000) {
            throw ApiException.badRequest("invalid_value", "limit must be a whole number from 1 to 1000");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("firing", engine.firing().stream().map(f -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", f.rule());
            m.put("subject", f.subject());
            m.put("severity", f.severity().label());
            m.put("summary", f.summary());
            m.put("since", f.since().toString());
            return m;
        }).toList());
        out.put("log", engine.recentLog(limit).stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", e.at().toString());
            m.put("rule", e.rule());
            m.put("subject", e.subject());
            m.put("state", e.status().label());
            m.put("severity", e.severity().label());
            m.put("summary", e.summary());
            m.put("webhook", e.webhook());
            m.put("delivered", e.delivered());
            m.put("response", e.response());
            return m;
        }).toList());
        ex.sendJson(200, out);
    }
}
