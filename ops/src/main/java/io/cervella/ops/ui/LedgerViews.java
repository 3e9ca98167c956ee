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
    /**
     * At most this many first-token times are read for one chart's percentiles (the newest); counts and
     * sums are always exact, done by the database.
     */
    static final int MAX_TTFT_ROWS = 100_000;

    private final MetadataStore store;

    public LedgerViews(MetadataStore store) {
        this.store = store;
    }

    /** One time bucket: {@code ttftP95Ms} null when no request in it got a first token. */
    public record Point(long epochSecond, long requests, long errors, long tokens, Double ttftP95Ms) {}

    /**
     * {@code ttftP95Ms}: over the whole range (null when no request got a first token); {@code sampled}:
     * more than {@link #MAX_TTFT_ROWS} did, and the percentiles come from the newest of them.
     */
    public record Series(long bucketSeconds, List<Point> points, Double ttftP95Ms, long withFirstToken, boolean sampled) {}

    /** {@code buckets} points of {@code window / buckets} each, ending at {@code now}. */
    public Series series(Instant now, Duration window, int buckets) {
        long bucketMs = Math.max(1000, window.toMillis() / buckets);
        long end = now.toEpochMilli();
        long start = end - bucketMs * buckets;
        long[] requests = new long[buckets];
        long[] errors = new long[buckets];
        long[] tokens = new long[buckets];
        long[] firstTokens = {0};
        // bucket b holds (start + b * bucketMs, start + (b + 1) * bucketMs]; GROUP BY 1: one expression on both databases
        store.jdbi().useHandle(h -> h.createQuery("""
                        SELECT (ts - :start - 1) / :bucket AS b, COUNT(*) AS n,
                               SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS e,
                               SUM(prompt_tokens + completion_tokens) AS t, COUNT(ttft_ms) AS f
                        FROM usage_events WHERE ts > :start AND ts <= :end GROUP BY 1""")
                .bind("start", start).bind("end", end).bind("bucket", bucketMs)
                .map((rs, ctx) -> {
                    int b = (int) Math.min(buckets - 1, Math.max(0, rs.getLong("b")));
                    requests[b] += rs.getLong("n");
                    errors[b] += rs.getLong("e");
                    tokens[b] += rs.getLong("t");
                    firstTokens[0] += rs.getLong("f");
                    return b;
                }).list());
        record Ttft(long ts, double ms) {}
        List<Ttft> rows = store.jdbi().withHandle(h -> h.createQuery("""
                        SELECT ts, ttft_ms FROM usage_events
                        WHERE ts > :start AND ts <= :end AND ttft_ms IS NOT NULL ORDER BY ts DESC""")
                .bind("start", start).bind("end", end).setMaxRows(MAX_TTFT_ROWS)
                .map((rs, ctx) -> new Ttft(rs.getLong("ts"), rs.getDouble("ttft_ms")))
                .list());
        List<List<Double>> ttfts = new ArrayList<>();
        for (int i = 0; i < buckets; i++) {
            ttfts.add(new ArrayList<>());
        }
        List<Double> all = new ArrayList<>(rows.size());
        for (Ttft r : rows) {
            int b = (int) Math.min(buckets - 1, Math.max(0, (r.ts() - start - 1) / bucketMs));
            ttfts.get(b).add(r.ms());
            all.add(r.ms());
        }
        List<Point> points = new ArrayList<>(buckets);
        for (int i = 0; i < buckets; i++) {
            long bucketEnd = start + (i + 1) * bucketMs;
            points.add(new Point(bucketEnd / 1000, requests[i], errors[i], tokens[i], percentile(ttfts.get(i), 0.95)));
        }
        return new Series(bucketMs / 1000, points, percentile(all, 0.95), firstTokens[0], firstTokens[0] > rows.size());
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
        // by key id (names need not be unique), shown by the key's name, or its id once the key is gone
        List<CostLine> byKey = store.jdbi().withHandle(h -> h.createQuery("""
                        SELECT u.key_id AS id, MAX(k.name) AS name, SUM(u.cost_usd) AS usd, COUNT(*) AS requests,
                               SUM(u.prompt_tokens + u.completion_tokens) AS tokens
                        FROM usage_events u LEFT JOIN api_keys k ON k.id = u.key_id
                        WHERE u.ts >= :from GROUP BY u.key_id ORDER BY usd DESC""")
                .bind("from", from)
                .map((rs, ctx) -> new CostLine(rs.getString("name") == null ? rs.getString("id") : rs.getString("name"),
                        rs.getDouble("usd"), rs.getLong("requests"), rs.getLong("tokens")))
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
