package io.cervella.ops.api;

import io.cervella.core.http.ApiException;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Route;
import io.cervella.core.keys.Scope;
import io.cervella.ops.probe.HistoryPoint;
import io.cervella.ops.probe.ProbeSummary;
import io.cervella.ops.probe.UptimeProbes;
import io.cervella.ops.probe.UptimeWindow;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** GET /admin/probes (each probe now, and its uptime over 24 h / 7 d / 30 d) and GET /admin/probes/{name}/history. */
public final class ProbeEndpoints {
    private final UptimeProbes probes;

    public ProbeEndpoints(UptimeProbes probes) {
        this.probes = probes;
    }

    public List<Route> routes() {
        return List.of(
                Route.of("GET", "/admin/probes", Scope.METRICS, this::list),
                Route.of("GET", "/admin/probes/{name}/history", Scope.METRICS, this::history));
    }

    private void list(Exchange ex) throws IOException {
        ex.sendJson(200, Map.of("data", probes.summaries().stream().map(ProbeSummary::toJson).toList()));
    }

    private void history(Exchange ex) throws IOException {
        String name = ex.pathParam("name");
        if (!probes.names().contains(name)) {
            throw ApiException.notFound("probe_not_found", "no probe named '" + name + "' (GET /admin/probes lists them)");
        }
        String label = ex.query("window").orElse("24h");
        UptimeWindow window = Arrays.stream(UptimeWindow.values()).filter(w -> w.label().equals(label)).findFirst()
                .orElseThrow(() -> ApiException.badRequest("invalid_value", "window must be 24h, 7d or 30d"));
        List<Map<String, Object>> points = probes.history(name, window).stream().map(ProbeEndpoints::json).toList();
        ex.sendJson(200, Map.of("probe", name, "window", window.label(), "bucket_seconds", window.bucket().toSeconds(),
                "points", points));
    }

    private static Map<String, Object> json(HistoryPoint p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start", p.start().toString());
        m.put("runs", p.runs());
        m.put("up_runs", p.upRuns());
        m.put("up_share", p.upShare());
        m.put("latency_ms", p.latencyMs());
        return m;
    }
}
