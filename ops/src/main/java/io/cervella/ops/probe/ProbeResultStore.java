package io.cervella.ops.probe;

import io.cervella.core.store.MetadataStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The table {@code ops_probe_results}: one row per run, per node. Uptime and history read every
 * node's rows; the state a node restarts with reads its own.
 */
public final class ProbeResultStore {
    /** What a node's probe was last: up or down since when, why it was last down, when it last ran. */
    public record StoredState(boolean up, Instant since, String lastError, Instant lastRun) {}

    private static final int ERROR_MAX = 400;
    /** A chart needs a few hundred points; this bounds what a careless caller can ask for. */
    public static final int MAX_POINTS = 10_000;
    private final MetadataStore store;

    public ProbeResultStore(MetadataStore store) {
        this.store = store;
    }

    public void insert(ProbeResult r) {
        String error = r.error() == null || r.error().length() <= ERROR_MAX ? r.error() : r.error().substring(0, ERROR_MAX - 1) + "…";
        // DO NOTHING: a run in the same millisecond as one already stored (a restart) is not worth an error
        store.jdbi().useHandle(h -> h.createUpdate("INSERT INTO ops_probe_results (probe, node, ts, up, status, latency_ms, error)"
                        + " VALUES (:probe, :node, :ts, :up, :status, :latency, :error) ON CONFLICT (probe, node, ts) DO NOTHING")
                .bind("probe", r.probe()).bind("node", r.node()).bind("ts", r.ts().toEpochMilli())
                .bind("up", r.up() ? 1 : 0)
                .bind("status", r.status())
                .bind("latency", r.latencyMs())
                .bind("error", error)
                .execute());
    }

    /** This node's last state of the probe, from its rows: what a restarted node carries on from. */
    public Optional<StoredState> lastState(String probe, String node) {
        return store.jdbi().withHandle(h -> {
            Optional<long[]> last = h.createQuery("SELECT ts, up FROM ops_probe_results WHERE probe = :p AND node = :n"
                            + " ORDER BY ts DESC LIMIT 1")
                    .bind("p", probe).bind("n", node)
                    .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)})
                    .findOne();
            if (last.isEmpty()) {
                return Optional.empty();
            }
            int up = (int) last.get()[1];
            // the state began with the first run after the last run in the other state
            Long since = h.createQuery("SELECT MIN(ts) FROM ops_probe_results WHERE probe = :p AND node = :n AND ts > "
                            + "(SELECT COALESCE(MAX(ts), -1) FROM ops_probe_results WHERE probe = :p AND node = :n AND up <> :up)")
                    .bind("p", probe).bind("n", node).bind("up", up)
                    .mapTo(Long.class).one();
            String lastError = h.createQuery("SELECT error FROM ops_probe_results WHERE probe = :p AND node = :n AND up = 0"
                            + " ORDER BY ts DESC LIMIT 1")
                    .bind("p", probe).bind("n", node)
                    .mapTo(String.class).findOne().orElse(null);
            return Optional.of(new StoredState(up == 1, Instant.ofEpochMilli(since), lastError, Instant.ofEpochMilli(last.get()[0])));
        });
    }

    /**
     * For each window, the share of the probe's runs (every node's) in {@code (now - window, now]} that
     * were up; null for a window without runs. One query for all windows.
     */
    public List<Double> upShares(String probe, Instant now, List<Duration> windows) {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < windows.size(); i++) {
            sql.append("SUM(CASE WHEN ts > :from").append(i).append(" THEN 1 ELSE 0 END), ")
                    .append("SUM(CASE WHEN ts > :from").append(i).append(" THEN up ELSE 0 END), ");
        }
        long widest = windows.stream().mapToLong(Duration::toMillis).max().orElse(0);
        sql.append("1 FROM ops_probe_results WHERE probe = :p AND ts > :widest AND ts <= :now");
        return store.jdbi().withHandle(h -> {
            var q = h.createQuery(sql.toString()).bind("p", probe).bind("now", now.toEpochMilli())
                    .bind("widest", now.toEpochMilli() - widest);
            for (int i = 0; i < windows.size(); i++) {
                q.bind("from" + i, now.toEpochMilli() - windows.get(i).toMillis());
            }
            return q.map((rs, ctx) -> {
                List<Double> shares = new ArrayList<>();
                for (int i = 0; i < windows.size(); i++) {
                    long runs = rs.getLong(2 * i + 1);
                    long up = rs.getLong(2 * i + 2);
                    shares.add(runs == 0 ? null : (double) up / runs);
                }
                return shares;
            }).one();
        });
    }

    /**
     * The probe's runs (every node's) from {@code from} (rounded down to a whole bucket since the epoch,
     * so that charts keep their buckets) to {@code to}, one point per bucket, empty buckets included.
     */
    public List<HistoryPoint> history(String probe, Instant from, Instant to, Duration bucket) {
        long width = bucket.toMillis();
        if (width <= 0) {
            throw new IllegalArgumentException("a bucket must be at least a millisecond wide");
        }
        long start = Math.floorDiv(from.toEpochMilli(), width) * width;
        long end = to.toEpochMilli();
        if ((end - start) / width >= MAX_POINTS) {
            throw new IllegalArgumentException("more than " + MAX_POINTS + " points: ask for wider buckets");
        }
        Map<Long, HistoryPoint> found = new HashMap<>();
        store.jdbi().useHandle(h -> h.createQuery("SELECT (ts - :start) / :width, COUNT(*), SUM(up), AVG(latency_ms)"
                        + " FROM ops_probe_results WHERE probe = :p AND ts >= :start AND ts <= :end GROUP BY 1")
                .bind("start", start).bind("width", width).bind("p", probe).bind("end", end)
                .map((rs, ctx) -> {
                    long index = rs.getLong(1);
                    long runs = rs.getLong(2);
                    long up = rs.getLong(3);
                    double latency = rs.getDouble(4);
                    Double meanLatency = rs.wasNull() ? null : latency;
                    return new HistoryPoint(Instant.ofEpochMilli(start + index * width), runs, up, (double) up / runs, meanLatency);
                })
                .forEach(p -> found.put(p.start().toEpochMilli(), p)));
        List<HistoryPoint> points = new ArrayList<>();
        for (long t = start; t <= end; t += width) {
            points.add(found.getOrDefault(t, new HistoryPoint(Instant.ofEpochMilli(t), 0, 0, null, null)));
        }
        return points;
    }

    /** The probe's last runs (every node's), newest first. */
    public List<ProbeResult> recent(String probe, int limit) {
        return store.jdbi().withHandle(h -> h.createQuery("SELECT probe, node, ts, up, status, latency_ms, error"
                        + " FROM ops_probe_results WHERE probe = :p ORDER BY ts DESC, node LIMIT :limit")
                .bind("p", probe).bind("limit", limit)
                .map((rs, ctx) -> read(rs))
                .list());
    }

    /** Deletes every node's runs before {@code cutoff}; returns how many. */
    public int deleteBefore(Instant cutoff) {
        return store.jdbi().withHandle(h -> h.createUpdate("DELETE FROM ops_probe_results WHERE ts < :cutoff")
                .bind("cutoff", cutoff.toEpochMilli())
                .execute());
    }

    private static ProbeResult read(ResultSet rs) throws SQLException {
        int status = rs.getInt("status");
        Integer st = rs.wasNull() ? null : status;
        double latency = rs.getDouble("latency_ms");
        Double lat = rs.wasNull() ? null : latency;
        return new ProbeResult(rs.getString("probe"), rs.getString("node"), Instant.ofEpochMilli(rs.getLong("ts")),
                rs.getInt("up") == 1, st, lat, rs.getString("error"), List.of());
    }
}
