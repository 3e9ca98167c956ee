package io.cervella.ops.probe;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A probe as the dashboard lists it: its state on this node ({@code up} null before its first run) and
 * its uptime over 24 h, 7 d and 30 d from every node's runs (null: no runs in that window).
 */
public record ProbeSummary(String name, String url, Boolean up, Instant since, String lastError,
                           Double uptime24h, Double uptime7d, Double uptime30d) {
    /** As the API and the dashboard send it (snake_case, times in ISO-8601, nulls kept). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("url", url);
        m.put("up", up);
        m.put("since", since == null ? null : since.toString());
        m.put("last_error", lastError);
        m.put("uptime_24h", uptime24h);
        m.put("uptime_7d", uptime7d);
        m.put("uptime_30d", uptime30d);
        return m;
    }
}
