package io.cervella.ops.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cervella.core.store.MetadataStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import io.cervella.core.testkit.StoreKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's numbers from ledger rows made for it, against values worked out by hand, on both databases. */
class LedgerViewsTest {
    @TempDir Path dir;

    private static void row(MetadataStore store, String id, Instant at, String key, String model, String backend, int status,
                            long prompt, long completion, Double ttftMs, double cost) {
        store.jdbi().useHandle(h -> h.createUpdate("""
                        INSERT INTO usage_events (id, ts, key_id, model, backend, status, stream, prompt_tokens, completion_tokens,
                            tokens_estimated, latency_ms, ttft_ms, cost_usd)
                        VALUES (:id, :ts, :k, :m, :b, :s, 1, :p, :c, 0, 10, :t, :cost)""")
                .bind("id", id).bind("ts", at.toEpochMilli()).bind("k", key).bind("m", model).bind("b", backend)
                .bind("s", status).bind("p", prompt).bind("c", completion).bind("t", ttftMs).bind("cost", cost).execute());
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void bucketsCountRequestsErrorsTokensAndTheNearestRankP95(StoreKind kind) {
        try (MetadataStore store = kind.open(dir)) {
            Instant now = Instant.parse("2026-11-27T12:00:00Z");
            // bucket 0 of 2 (11:00, 11:30]: 20 requests, ttft 10..200 ms → p95 = the 19th smallest = 190
            for (int i = 1; i <= 20; i++) {
                row(store, "a" + i, Instant.parse("2026-11-27T11:10:00Z").plusSeconds(i), "k1", "baby", "b1", 200, 3, 2, i * 10.0, 0.01);
            }
            // bucket 1 (11:30, 12:00]: one error without a first token, one at exactly 12:00 (inside), one after (outside)
            row(store, "b1", Instant.parse("2026-11-27T11:45:00Z"), "k2", "baby", "b1", 502, 7, 0, null, 0);
            row(store, "b2", now, "k2", "baby", "b1", 200, 1, 1, 1500.0, 0.02);
            row(store, "b3", now.plusSeconds(1), "k2", "baby", "b1", 200, 1, 1, 9999.0, 0.02);

            LedgerViews.Series s = new LedgerViews(store).series(now, Duration.ofHours(1), 2);
            assertEquals(1800, s.bucketSeconds());
            assertEquals(List.of(new LedgerViews.Point(Instant.parse("2026-11-27T11:30:00Z").getEpochSecond(), 20, 0, 100, 190.0),
                    new LedgerViews.Point(now.getEpochSecond(), 2, 1, 9, 1500.0)), s.points());
            // all 21 first tokens: 10..200 and 1500 → rank ceil(0.95 × 21) = 20 → 200
            assertEquals(200.0, s.ttftP95Ms());
            assertEquals(21, s.withFirstToken());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void monthCostIsThisUtcMonthByModelBackendAndKeyName(StoreKind kind) {
        try (MetadataStore store = kind.open(dir)) {
            store.jdbi().useHandle(h -> h.execute("INSERT INTO api_keys (id, name, key_hash, scopes, created_at) "
                    + "VALUES ('k1', 'agent-ricerca', 'x', 'chat', 0)"));
            row(store, "old", Instant.parse("2026-10-31T23:59:59Z"), "k1", "baby", "b1", 200, 1, 1, null, 5.0);
            row(store, "n1", Instant.parse("2026-11-01T00:00:00Z"), "k1", "baby", "b1", 200, 10, 5, null, 1.25);
            row(store, "n2", Instant.parse("2026-11-15T08:00:00Z"), "k1", "big", "b2", 200, 20, 10, null, 2.50);
            row(store, "n3", Instant.parse("2026-11-20T08:00:00Z"), "k9", "baby", "b2", 200, 1, 1, null, 0.25);

            LedgerViews.MonthCost m = new LedgerViews(store).month(Instant.parse("2026-11-27T12:00:00Z"));
            assertEquals("2026-11", m.month());
            assertEquals(4.0, m.totalUsd(), 1e-9);
            assertEquals(List.of(new LedgerViews.CostLine("big", 2.5, 1, 30), new LedgerViews.CostLine("baby", 1.5, 2, 17)), m.byModel());
            assertEquals(List.of(new LedgerViews.CostLine("b2", 2.75, 2, 32), new LedgerViews.CostLine("b1", 1.25, 1, 15)), m.byBackend());
            // a key that no longer exists is shown by its id
            assertEquals(List.of(new LedgerViews.CostLine("agent-ricerca", 3.75, 2, 45), new LedgerViews.CostLine("k9", 0.25, 1, 2)), m.byKey());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void twoKeysWithOneNameAreTwoLines(StoreKind kind) {
        try (MetadataStore store = kind.open(dir)) {
            store.jdbi().useHandle(h -> h.execute("INSERT INTO api_keys (id, name, key_hash, scopes, created_at) "
                    + "VALUES ('k1', 'ci', 'x', 'chat', 0), ('k2', 'ci', 'y', 'chat', 0)"));
            row(store, "a", Instant.parse("2026-11-02T00:00:00Z"), "k1", "baby", "b1", 200, 1, 1, null, 1.0);
            row(store, "b", Instant.parse("2026-11-03T00:00:00Z"), "k2", "baby", "b1", 200, 1, 1, null, 2.0);
            assertEquals(List.of(new LedgerViews.CostLine("ci", 2.0, 1, 2), new LedgerViews.CostLine("ci", 1.0, 1, 2)),
                    new LedgerViews(store).month(Instant.parse("2026-11-27T12:00:00Z")).byKey());
        }
    }

    @Test
    void percentileOfNothingIsNull() {
        assertNull(LedgerViews.percentile(List.of(), 0.95));
        assertEquals(7.0, LedgerViews.percentile(List.of(7.0), 0.95));
    }
}
