package io.cervella.ops.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cervella.core.store.MetadataStore;
import io.cervella.ops.config.ProbeConfig;
import io.cervella.ops.config.ProbesConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uptime, history and pruning over rows written straight to the table, at a fixed "now", against
 * figures worked out by hand. A window is (now - length, now]: a run exactly at its start belongs to
 * the next wider window only.
 */
class UptimeArithmeticTest {
    private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

    @TempDir Path dir;
    private MetadataStore store;
    private ProbeResultStore results;
    private SimpleMeterRegistry registry;
    private UptimeProbes probes;

    /** SQLite here; {@link UptimeArithmeticPostgresTest} runs the same on PostgreSQL. */
    MetadataStore openStore(Path dir) {
        return MetadataStore.openSqlite(dir.resolve("x.db"));
    }

    @BeforeEach
    void open() {
        store = openStore(dir);
        results = new ProbeResultStore(store);
        registry = new SimpleMeterRegistry();
        // 24 h: 11 runs, 9 up
        for (int h = 1; h <= 8; h++) {
            row("web", "node-1", NOW.minus(Duration.ofHours(h)), h != 8, h == 1 ? 10.0 : null);
        }
        row("web", "node-2", NOW.minus(Duration.ofMinutes(30)), true, 30.0);
        row("web", "node-2", NOW.minus(Duration.ofHours(24)).plusSeconds(60), false, null);
        row("web", "node-1", NOW, true, null);
        row("web", "node-2", NOW.plusSeconds(60), true, null);                 // a clock ahead: in no window
        // (24 h, 7 d]: 11 runs, 5 up -> 7 d: 22 runs, 14 up
        row("web", "node-1", NOW.minus(Duration.ofHours(24)), false, null);    // exactly 24 h ago
        for (int d = 2; d <= 6; d++) {
            row("web", "node-1", NOW.minus(Duration.ofDays(d)), true, null);
            row("web", "node-1", NOW.minus(Duration.ofDays(d)).plus(Duration.ofMinutes(10)), false, null);
        }
        // (7 d, 30 d]: 23 runs, 1 up -> 30 d: 45 runs, 15 up
        row("web", "node-1", NOW.minus(Duration.ofDays(7)), true, null);       // exactly 7 d ago
        for (int d = 8; d <= 29; d++) {
            row("web", "node-1", NOW.minus(Duration.ofDays(d)), false, null);
        }
        // older: in no window
        row("web", "node-1", NOW.minus(Duration.ofDays(30)), true, null);
        row("web", "node-1", NOW.minus(Duration.ofDays(40)), true, null);
        // another probe's runs count for it alone
        row("api", "node-1", NOW.minus(Duration.ofHours(1)), false, null);

        ProbesConfig config = new ProbesConfig(false, null, null, 31, List.of(
                new ProbeConfig("web", "http://127.0.0.1:1/", null, null, null),
                new ProbeConfig("empty", "http://127.0.0.1:1/", null, null, null)));
        probes = new UptimeProbes(config, store, null, registry, Clock.fixed(NOW, ZoneOffset.UTC), "node-1");
    }

    @AfterEach
    void close() {
        probes.close();
        store.close();
    }

    @Test
    void uptimeIsTheShareOfRunsUpInTheWindowOverEveryNode() {
        assertEquals(9.0 / 11, probes.uptime("web", UptimeWindow.DAY).orElseThrow(), 1e-12);
        assertEquals(14.0 / 22, probes.uptime("web", UptimeWindow.WEEK).orElseThrow(), 1e-12);
        assertEquals(15.0 / 45, probes.uptime("web", UptimeWindow.MONTH).orElseThrow(), 1e-12);
        assertEquals(1.0, probes.uptime("web", Duration.ofHours(1)).orElseThrow(), "30 min ago and now; 1 h ago is out");
        assertEquals(0.0, probes.uptime("api", UptimeWindow.DAY).orElseThrow());
        assertTrue(probes.uptime("empty", UptimeWindow.MONTH).isEmpty(), "no runs: no figure");

        ProbeSummary web = probes.summaries().stream().filter(s -> s.name().equals("web")).findFirst().orElseThrow();
        assertEquals(9.0 / 11, web.uptime24h(), 1e-12);
        assertEquals(14.0 / 22, web.uptime7d(), 1e-12);
        assertEquals(15.0 / 45, web.uptime30d(), 1e-12);
        ProbeSummary empty = probes.summaries().getFirst();
        assertEquals("empty", empty.name());
        assertNull(empty.up());
        assertNull(empty.uptime24h());
    }

    @Test
    void theGaugesShowTheSameFigures() {
        assertEquals(9.0 / 11, gauge("web", "24h"), 1e-12);
        assertEquals(14.0 / 22, gauge("web", "7d"), 1e-12);
        assertEquals(15.0 / 45, gauge("web", "30d"), 1e-12);
        assertTrue(Double.isNaN(gauge("empty", "24h")));
    }

    @Test
    void theStateIsReadBackFromThisNodesRuns() {
        // node-1's last run (now) is up; its last down run was 8 h ago, so up since 7 h ago
        var web = probes.current().getFirst();
        assertEquals("web", web.name());
        assertTrue(web.up());
        assertEquals(NOW.minus(Duration.ofHours(7)), web.since());
        assertNull(web.lastError(), "the rows written here carry no error text");
    }

    @Test
    void historyHasOnePointPerBucketWithGapsForBucketsWithoutRuns() {
        List<HistoryPoint> week = probes.history("web", UptimeWindow.WEEK);
        assertEquals(7 * 24 + 1, week.size(), "hourly from 7 d ago to the hour now is in");
        assertEquals(NOW.minus(Duration.ofDays(7)), week.getFirst().start());
        assertEquals(new HistoryPoint(NOW.minus(Duration.ofDays(7)), 1, 1, 1.0, null), week.getFirst(),
                "a bucket holds [start, start + 1 h)");
        assertEquals(new HistoryPoint(NOW.minus(Duration.ofHours(1)), 2, 2, 1.0, 20.0), point(week, NOW.minus(Duration.ofHours(1))),
                "1 h and 30 min ago, two nodes; mean latency of 10 and 30 ms");
        assertEquals(new HistoryPoint(NOW.minus(Duration.ofDays(2)), 2, 1, 0.5, null), point(week, NOW.minus(Duration.ofDays(2))));
        assertEquals(new HistoryPoint(NOW.minus(Duration.ofHours(12)), 0, 0, null, null), point(week, NOW.minus(Duration.ofHours(12))));
        assertEquals(new HistoryPoint(NOW, 1, 1, 1.0, null), week.getLast(), "the run at now; the one after it is not");

        List<HistoryPoint> day = probes.history("web", UptimeWindow.DAY);
        assertEquals(24 * 4 + 1, day.size());
        assertEquals(0.0, point(day, NOW.minus(Duration.ofHours(24))).upShare(), "24 h ago and a minute after, both down");
        assertEquals(2, point(day, NOW.minus(Duration.ofHours(24))).runs());

        List<HistoryPoint> odd = probes.history("web", NOW.minus(Duration.ofMinutes(95)), Duration.ofHours(1));
        assertEquals(NOW.minus(Duration.ofHours(2)), odd.getFirst().start(), "the first bucket starts on a whole hour");
        assertEquals(3, odd.size());
        assertThrows(IllegalArgumentException.class, () -> probes.history("web", NOW.minus(Duration.ofDays(30)), Duration.ofSeconds(1)),
                "2.6 million points is not a chart");
    }

    @Test
    void pruningDeletesRunsOlderThanKeepDays() {
        row("web", "node-2", NOW.minus(Duration.ofDays(31)).minusMillis(1), true, null);
        row("web", "node-2", NOW.minus(Duration.ofDays(31)), true, null);
        long before = count();
        assertEquals(2, probes.prune(), "40 d ago and 31 d + 1 ms ago; exactly 31 d ago stays");
        assertEquals(before - 2, count());
        assertEquals(0, probes.prune());
        assertEquals(15.0 / 45, probes.uptime("web", UptimeWindow.MONTH).orElseThrow(), 1e-12, "the 30 days are whole");
    }

    @Test
    void recentListsTheLastRunsNewestFirst() {
        List<ProbeResult> recent = probes.recent("web", 3);
        assertEquals(List.of(NOW.plusSeconds(60), NOW, NOW.minus(Duration.ofMinutes(30))), recent.stream().map(ProbeResult::ts).toList());
        assertEquals("node-2", recent.getFirst().node());
        assertEquals(30.0, recent.get(2).latencyMs());
    }

    private void row(String probe, String node, Instant ts, boolean up, Double latencyMs) {
        results.insert(new ProbeResult(probe, node, ts, up, up ? 200 : 503, latencyMs, null, List.of()));
    }

    private double gauge(String probe, String window) {
        return registry.get("cervella.probe.uptime.ratio").tag("probe", probe).tag("window", window).gauge().value();
    }

    private static HistoryPoint point(List<HistoryPoint> points, Instant start) {
        return points.stream().filter(p -> p.start().equals(start)).findFirst().orElseThrow();
    }

    private long count() {
        return store.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM ops_probe_results").mapTo(Long.class).one());
    }
}
