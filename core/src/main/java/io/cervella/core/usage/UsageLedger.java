package io.cervella.core.usage;

import io.cervella.core.store.MetadataStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage ledger: every served request, durably. Writes go through one writer thread that commits
 * whatever has queued up in a single transaction (group commit), so that many concurrent requests
 * share one fsync; {@link #record} returns a future that completes once the row is committed.
 */
public final class UsageLedger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UsageLedger.class);
    private static final int MAX_BATCH = 512;

    private record Pending(UsageEvent event, CompletableFuture<Void> done) {}

    private final MetadataStore store;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(16_384);
    private final Thread writer;
    private volatile boolean closing;
    private volatile boolean writerDone;

    public UsageLedger(MetadataStore store) {
        this.store = store;
        this.writer = Thread.ofPlatform().name("usage-ledger-writer").daemon().start(this::writeLoop);
    }

    /** Queues the event; the future completes when it is committed (or fails with the reason). */
    public CompletableFuture<Void> record(UsageEvent event) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closing) {
            done.completeExceptionally(new IllegalStateException("usage ledger is closed"));
            return done;
        }
        try {
            // Waits (a virtual thread) when the writer falls behind: back-pressure, bounded.
            if (!queue.offer(new Pending(event, done), 10, TimeUnit.SECONDS)) {
                done.completeExceptionally(new IllegalStateException("usage ledger queue full for 10 s"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.completeExceptionally(e);
        }
        if (writerDone) {
            failLeftovers(); // closed while we queued: nobody will write it
        }
        return done;
    }

    private void failLeftovers() {
        Pending p;
        while ((p = queue.poll()) != null) {
            p.done().completeExceptionally(new IllegalStateException("usage ledger is closed"));
        }
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (!closing || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(p -> p.done().completeExceptionally(e)); // no-op for those already done
                break;
            } finally {
                batch.clear();
            }
        }
        dropConnection();
        writerDone = true;
        failLeftovers();
    }

    private static final String INSERT = "INSERT INTO usage_events (id, ts, key_id, model, backend, status, stream, "
            + "prompt_tokens, completion_tokens, tokens_estimated, latency_ms, ttft_ms, cost_usd) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    // The writer keeps one connection and one prepared statement: this is the hottest write path.
    private Connection connection;
    private PreparedStatement insert;
    private java.sql.Statement begin;

    /** Backoff before each retry of a failed batch; then its requests learn of the failure. */
    private static final long[] RETRY_MILLIS = {50, 250, 1000};

    private void commit(List<Pending> batch) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            SQLException failure = tryCommit(batch);
            if (failure == null) {
                batch.forEach(p -> p.done().complete(null));
                return;
            }
            if (attempt == RETRY_MILLIS.length) {
                LOG.error("usage ledger: could not commit {} events: {}", batch.size(), failure.getMessage());
                batch.forEach(p -> p.done().completeExceptionally(failure));
                return;
            }
            LOG.warn("usage ledger: commit of {} events failed, retrying: {}", batch.size(), failure.getMessage());
            Thread.sleep(RETRY_MILLIS[attempt]);
        }
    }

    /** One try at writing the batch in one transaction; null when it committed. */
    private SQLException tryCommit(List<Pending> batch) {
        try {
            if (connection == null) {
                connection = store.dataSource().getConnection();
                insert = connection.prepareStatement(INSERT);
                begin = connection.createStatement();
            }
            // One explicit transaction per batch, none between batches. (With autoCommit off, SQLite's
            // driver would open the next write-locking transaction right after each commit and hold it
            // while idle; toggling autoCommit costs two more statements per batch.)
            begin.execute(store.dialect() == MetadataStore.Dialect.SQLITE ? "BEGIN IMMEDIATE" : "BEGIN");
            for (Pending p : batch) {
                UsageEvent e = p.event();
                insert.setString(1, e.id());
                insert.setLong(2, e.at().toEpochMilli());
                insert.setString(3, e.keyId());
                insert.setString(4, e.model());
                insert.setString(5, e.backend());
                insert.setInt(6, e.status());
                insert.setInt(7, e.stream() ? 1 : 0);
                insert.setLong(8, e.promptTokens());
                insert.setLong(9, e.completionTokens());
                insert.setInt(10, e.tokensEstimated() ? 1 : 0);
                insert.setDouble(11, e.latencyMs());
                if (e.ttftMs() == null) {
                    insert.setNull(12, Types.DOUBLE);
                } else {
                    insert.setDouble(12, e.ttftMs());
                }
                insert.setDouble(13, e.costUsd());
                insert.addBatch();
            }
            insert.executeBatch();
            begin.execute("COMMIT");
            return null;
        } catch (SQLException e) {
            dropConnection();
            return e;
        } catch (RuntimeException e) {
            dropConnection();
            return new SQLException(e);
        }
    }

    private void dropConnection() {
        if (connection != null) {
            try {
                if (begin != null) {
                    begin.execute("ROLLBACK");
                }
            } catch (SQLException ignored) {
                // no transaction was open, or the connection is broken: it is thrown away anyway
            }
            try {
                connection.close();
            } catch (SQLException ignored) {
                // idem
            }
        }
        connection = null;
        insert = null;
        begin = null;
    }

    /** Total cost per key id over all time: the basis of budget checks after a restart. */
    public Map<String, Double> spendByKey() {
        return store.jdbi().withHandle(h -> {
            Map<String, Double> out = new LinkedHashMap<>();
            h.createQuery("SELECT key_id, SUM(cost_usd) AS spent FROM usage_events GROUP BY key_id")
                    .map((rs, ctx) -> Map.entry(rs.getString("key_id"), rs.getDouble("spent")))
                    .forEach(en -> out.put(en.getKey(), en.getValue()));
            return out;
        });
    }

    /** A summary row of {@link #summarize}. */
    public record Summary(String group, long requests, long errors, long promptTokens, long completionTokens,
                          double costUsd, double avgLatencyMs, Double avgTtftMs) {}

    public enum GroupBy {
        KEY("key_id"), MODEL("model"), BACKEND("backend");

        final String column;

        GroupBy(String column) {
            this.column = column;
        }
    }

    /** Sums the ledger from {@code since} on, grouped by key, model or backend. */
    public List<Summary> summarize(Instant since, GroupBy by) {
        String sql = "SELECT " + by.column + " AS g, COUNT(*) AS n, "
                + "SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors, "
                + "SUM(prompt_tokens) AS pt, SUM(completion_tokens) AS ct, SUM(cost_usd) AS cost, "
                + "AVG(latency_ms) AS lat, AVG(ttft_ms) AS ttft "
                + "FROM usage_events WHERE ts >= :since GROUP BY " + by.column + " ORDER BY " + by.column;
        return store.jdbi().withHandle(h -> h.createQuery(sql)
                .bind("since", since.toEpochMilli())
                .map((rs, ctx) -> {
                    double ttft = rs.getDouble("ttft");
                    Double avgTtft = rs.wasNull() ? null : ttft;
                    return new Summary(rs.getString("g"), rs.getLong("n"), rs.getLong("errors"), rs.getLong("pt"),
                            rs.getLong("ct"), rs.getDouble("cost"), rs.getDouble("lat"), avgTtft);
                })
                .list());
    }

    /** At most this many rows (the newest) feed {@link #traffic}'s sweep and percentile. */
    public static final int TRAFFIC_SAMPLE = 100_000;

    /**
     * One model's traffic among the requests that ended in [from, to): {@code model}, or when null the
     * model with the most completion tokens there (ties: more requests, then the name). Counts and means
     * are summed in SQL over every row; the peak concurrency and the TTFT p95 in Java over the newest
     * {@link #TRAFFIC_SAMPLE} rows.
     */
    public UsageTraffic traffic(Instant from, Instant to, String model) {
        return traffic(from, to, model, TRAFFIC_SAMPLE);
    }

    /** {@link #traffic(Instant, Instant, String)} with another sample size (tests use a small one). */
    UsageTraffic traffic(Instant from, Instant to, String model, int sampleLimit) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("the window must end after it starts: " + from + " to " + to);
        }
        return store.jdbi().withHandle(h -> {
            long fromMs = from.toEpochMilli();
            long toMs = to.toEpochMilli();
            // Days the ledger covers: a window reaching back before the ledger's first row counts from that
            // row (a platform two days old asked about 14 days has 2 days of traffic), at least one day.
            Long first = h.createQuery("SELECT MIN(ts) AS first FROM usage_events").map((rs, ctx) -> {
                long v = rs.getLong("first");
                return rs.wasNull() ? null : v;
            }).one();
            long covered = first == null || first <= fromMs ? toMs - fromMs : Math.max(0, toMs - first);
            double days = Math.max(covered, Math.min(toMs - fromMs, 86_400_000L)) / 86_400_000.0;
            record ModelTotal(String model, long requests, long completionTokens) {}
            List<ModelTotal> totals = h.createQuery("SELECT model, COUNT(*) AS n, SUM(completion_tokens) AS ct "
                            + "FROM usage_events WHERE ts >= :from AND ts < :to GROUP BY model")
                    .bind("from", fromMs).bind("to", toMs)
                    .map((rs, ctx) -> new ModelTotal(rs.getString("model"), rs.getLong("n"), rs.getLong("ct")))
                    .list();
            Map<String, Long> byModel = new LinkedHashMap<>();
            totals.stream()
                    .sorted(Comparator.comparingLong(ModelTotal::requests).reversed()
                            .thenComparing(ModelTotal::model))
                    .forEach(t -> byModel.put(t.model(), t.requests()));
            String measured = model != null ? model : totals.stream()
                    .sorted(Comparator.comparingLong(ModelTotal::completionTokens).reversed()
                            .thenComparing(Comparator.comparingLong(ModelTotal::requests).reversed())
                            .thenComparing(ModelTotal::model))
                    .map(ModelTotal::model).findFirst().orElse(null);
            List<Long> hourly = new ArrayList<>(Collections.nCopies(24, 0L));
            if (measured == null) {
                return new UsageTraffic(from, to, days, null, 0, 0, hourly, null, null, 0, null, false, byModel);
            }

            String inWindow = " FROM usage_events WHERE model = :model AND ts >= :from AND ts < :to";
            record Totals(long requests, long errors, Double promptMean, Double completionMean) {}
            Totals t = h.createQuery("SELECT COUNT(*) AS n, "
                            + "SUM(CASE WHEN status >= 500 OR status = 0 THEN 1 ELSE 0 END) AS errors, "
                            + "AVG(CASE WHEN status >= 200 AND status < 300 THEN prompt_tokens END) AS pt, "
                            + "AVG(CASE WHEN status >= 200 AND status < 300 THEN completion_tokens END) AS ct"
                            + inWindow)
                    .bind("model", measured).bind("from", fromMs).bind("to", toMs)
                    .map((rs, ctx) -> {
                        double pt = rs.getDouble("pt");
                        Double promptMean = rs.wasNull() ? null : pt;
                        double ct = rs.getDouble("ct");
                        Double completionMean = rs.wasNull() ? null : ct;
                        return new Totals(rs.getLong("n"), rs.getLong("errors"), promptMean, completionMean);
                    })
                    .one();

            // The start in whole milliseconds: the latency's fraction dropped alike on both databases
            // (PostgreSQL's CAST rounds, SQLite's truncates).
            String latencyMs = store.dialect() == MetadataStore.Dialect.SQLITE
                    ? "CAST(latency_ms AS INTEGER)" : "CAST(TRUNC(latency_ms) AS BIGINT)";
            h.createQuery("SELECT ((ts - " + latencyMs + ") / 3600000) % 24 AS hour, COUNT(*) AS n" + inWindow
                            + " GROUP BY ((ts - " + latencyMs + ") / 3600000) % 24")
                    .bind("model", measured).bind("from", fromMs).bind("to", toMs)
                    .map((rs, ctx) -> Map.entry(rs.getInt("hour"), rs.getLong("n")))
                    .forEach(e -> hourly.set(e.getKey(), e.getValue()));

            record Row(long startMs, long endMs, boolean ok, Double ttftMs) {}
            List<Row> sample = h.createQuery("SELECT ts, latency_ms, status, ttft_ms" + inWindow
                            + " ORDER BY ts DESC LIMIT :limit")
                    .bind("model", measured).bind("from", fromMs).bind("to", toMs).bind("limit", sampleLimit)
                    .map((rs, ctx) -> {
                        long end = rs.getLong("ts");
                        long start = end - (long) rs.getDouble("latency_ms");
                        int status = rs.getInt("status");
                        double ttft = rs.getDouble("ttft_ms");
                        Double ttftMs = rs.wasNull() ? null : ttft;
                        return new Row(start, end, status >= 200 && status < 300, ttftMs);
                    })
                    .list();
            int peak = peakInFlight(sample.stream().map(r -> new long[] {r.startMs(), r.endMs()}).toList());
            Double p95 = nearestRankP95(sample.stream().filter(r -> r.ok() && r.ttftMs() != null)
                    .mapToDouble(Row::ttftMs).toArray());
            return new UsageTraffic(from, to, days, measured, t.requests(), t.errors(), hourly, t.promptMean(),
                    t.completionMean(), peak, p95, t.requests() > sampleLimit, byModel);
        });
    }

    /**
     * The most intervals [start, end) open at once, each at least 1 ms long: a sweep over the starts
     * (+1) and ends (−1) in time order, an end before a start at the same millisecond, so that a request
     * sent right after another ended does not count as overlapping it.
     */
    static int peakInFlight(List<long[]> intervals) {
        long[] events = new long[intervals.size() * 2];
        int i = 0;
        for (long[] iv : intervals) {
            long start = iv[0];
            long end = Math.max(iv[1], start + 1);
            // time × 2, +1 for a start: sorting puts an end (even) before a start (odd) at the same time
            events[i++] = start * 2 + 1;
            events[i++] = end * 2;
        }
        Arrays.sort(events);
        int open = 0;
        int peak = 0;
        for (long e : events) {
            open += (e & 1) == 1 ? 1 : -1;
            peak = Math.max(peak, open);
        }
        return peak;
    }

    /** The ⌈0.95 × n⌉-th smallest value; null for none. */
    static Double nearestRankP95(double[] values) {
        if (values.length == 0) {
            return null;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(95 * sorted.length + 99) / 100 - 1]; // ⌈0.95 n⌉ in integers: no rounding surprise
    }

    public long count() {
        return store.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM usage_events").mapTo(Long.class).one());
    }

    /** Stops taking events, writes what is queued, and stops the writer. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
