package io.cervella.ops.ui;

import io.cervella.core.store.MetadataStore;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The dashboard's views of the usage ledger (usage_events): traffic and time to first token per time
 * bucket, and this month's cost by model, backend and key. Read straight from the table every node
 * writes to, so every node's dashboard shows the whole platform.
 */
public final class LedgerViews {
    /** At most this many requests are read for one chart (about 6 a second over a day); the rest are left out, newest kept. */
    static final int MAX_ROWS = 500_000;

    private final MetadataStore store;

    public LedgerViews(MetadataStore store) {
        this.store = store;
    }

    /** One time bucket: {@code ttftP95Ms} null when no request in it got a first token. */
    public record Point(long epochSecond, long requests, long errors, long tokens, Double ttftP95Ms) {}

    /** {@code ttftP95Ms}: over the whole range; null when no request in it got a first token. */
    public record Series(long bucketSeconds, List<Point> points, Double ttftP95Ms, long withFirstToken) {}

    /** {@code buckets} points of {@code window / buckets} each, ending at {@code now}. */
    public Series series(Instant now, Duration window, int buckets) {
        long bucketMs = Math.max(1000, window.toMillis() / buckets);
        long end = now.toEpochMilli();
        long start = end - bucketMs * buckets;
        record Row(long ts, int status, long tokens, Double ttft) {}
        List<Row> rows = store.jdbi().withHandle(h -> h.createQuery("""
                        SELECT ts, status, prompt_tokens + completion_tokens AS tokens, ttft_ms FROM usage_events
                        WHERE ts > :start AND ts <= :end ORDER BY ts DESC""")
                .bind("start", start).bind("end", end).setMaxRows(MAX_ROWS)
                .map((rs, ctx) -> new Row(rs.getLong("ts"), rs.getInt("status"), rs.getLong("tokens"),
                        rs.getObject("ttft_ms") == null ? null : rs.getDouble("ttft_ms")))
                .list());
        long[] requests = new long[buckets];
        long[] errors = new long[buckets];
        long[] tokens = new long[buckets];
        List<List<Double>> ttfts = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        for (int i = 0; i < buckets; i++) {
            ttfts.add(new ArrayList<>());
        }
        for (Row r : rows) {
            int b = (int) Math.min(buckets - 1, Math.max(0, (r.ts() - start - 1) / bucketMs));
            requests[b]++;
            if (r.status() >= 400) {
                errors[b]++;
            }
            tokens[b] += r.tokens();
            if (r.ttft() != null) {
                ttfts.get(b).add(r.ttft());
                all.add(r.ttft());
            }
        }
        List<Point> points = new ArrayList<>(buckets);
        for (int i = 0; i < buckets; i++) {
            long bucketEnd = start + (i + 1) * bucketMs;
            points.add(new Point(bucketEnd / 1000, requests[i], errors[i], tokens[i], percentile(ttfts.get(i), 0.95)));
        }
        return new Series(bucketMs / 1000, points, percentile(all, 0.95), all.size());
    }

    /** The nearest-rank percentile: the smallest value with at least {@code p} of the values at or below it. */
    static Double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return null;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    public record CostLine(String name, double usd, long requests, long tokens) {}

    public record MonthCost(String month, double totalUsd, List<CostLine> byModel, List<CostLine> byBackend,
                            List<CostLine> byKey) {}

    /** Spend of the calendar month (UTC) that holds {@code now}. */
    public MonthCost month(Instant now) {
        YearMonth month = YearMonth.from(now.atZone(ZoneOffset.UTC));
        long from = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        List<CostLine> byModel = costBy("model", from);
        List<CostLine> byBackend = costBy("backend", from);
        List<CostLine> byKey = store.jdbi().withHandle(h -> h.createQuery("""
                        SELECT COALESCE(k.name, u.key_id) AS name, SUM(u.cost_usd) AS usd, COUNT(*) AS requests,
                               SUM(u.prompt_tokens + u.completion_tokens) AS tokens
                        FROM usage_events u LEFT JOIN api_keys k ON k.id = u.key_id
                        WHERE u.ts >= :from GROUP BY COALESCE(k.name, u.key_id) ORDER BY usd DESC""")
                .bind("from", from)
                .map((rs, ctx) -> new CostLine(rs.getString("name"), rs.getDouble("usd"), rs.getLong("requests"), rs.getLong("tokens")))
                .list());
        double total = byModel.stream().mapToDouble(CostLine::usd).sum();
        return new MonthCost(month.toString(), total, byModel, byBackend, byKey);
    }

    private List<CostLine> costBy(String column, long from) {
        // column is one of two constants above, never input
        return store.jdbi().withHandle(h -> h.createQuery("SELECT " + column + " AS name, SUM(cost_usd) AS usd, COUNT(*) AS requests, "
                        + "SUM(prompt_tokens + completion_tokens) AS tokens FROM usage_events WHERE ts >= :from "
                        + "GROUP BY " + column + " ORDER BY usd DESC")
                .bind("from", from)
                .map((rs, ctx) -> new CostLine(rs.getString("name"), rs.getDouble("usd"), rs.getLong("requests"), rs.getLong("tokens")))
                .list());
    }
}
