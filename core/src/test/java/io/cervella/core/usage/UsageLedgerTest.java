package io.cervella.core.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cervella.core.store.MetadataStore;
import io.cervella.core.testkit.StoreKind;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class UsageLedgerTest {
    @TempDir Path dir;

    private static UsageEvent event(String key, String model, String backend, int status, double cost, Instant at) {
        return new UsageEvent(TimeOrderedIds.next(at.toEpochMilli()), at, key, model, backend, status, true, 10, 20,
                false, 100.0, 15.0, cost);
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void concurrentEventsAreAllCommittedAndSummed(StoreKind kind) throws Exception {
        try (MetadataStore store = kind.open(dir); UsageLedger ledger = new UsageLedger(store)) {
            Instant now = Instant.now();
            List<CompletableFuture<Void>> done = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int n = t;
                threads.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < 50; i++) {
                        CompletableFuture<Void> f = ledger.record(event("key-" + (n % 2), "m", "b" + (i % 3), 200, 0.01, now));
                        synchronized (done) {
                            done.add(f);
                        }
                    }
                }));
            }
            for (Thread th : threads) {
                th.join();
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            assertThat(ledger.count()).isEqualTo(400);
            assertThat(ledger.spendByKey()).hasSize(2);
            assertThat(ledger.spendByKey().get("key-0")).isCloseTo(2.0, within(1e-9));
            List<UsageLedger.Summary> byBackend = ledger.summarize(now.minusSeconds(60), UsageLedger.GroupBy.BACKEND);
            assertThat(byBackend).extracting(UsageLedger.Summary::group).containsExactly("b0", "b1", "b2");
            assertThat(byBackend.stream().mapToLong(UsageLedger.Summary::requests).sum()).isEqualTo(400);
            assertThat(byBackend.getFirst().promptTokens()).isEqualTo(byBackend.getFirst().requests() * 10);

            // The writer holds its connection between batches; other writers must not wait on it.
            long t0 = System.nanoTime();
            store.jdbi().useHandle(h -> h.execute("INSERT INTO api_keys (id, name, key_hash, scopes, created_at) "
                    + "VALUES ('other', 'n', 'h', 'chat', 1)"));
            assertThat((System.nanoTime() - t0) / 1e9).isLessThan(2.0);
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void summariesRespectSinceAndCountErrors(StoreKind kind) throws Exception {
        try (MetadataStore store = kind.open(dir); UsageLedger ledger = new UsageLedger(store)) {
            Instant now = Instant.now();
            ledger.record(event("a", "m1", "b", 200, 1.0, now.minusSeconds(7200))).get(10, TimeUnit.SECONDS);
            ledger.record(event("a", "m1", "b", 502, 0.0, now)).get(10, TimeUnit.SECONDS);
            ledger.record(event("a", "m2", "b", 200, 0.5, now)).get(10, TimeUnit.SECONDS);

            List<UsageLedger.Summary> recent = ledger.summarize(now.minusSeconds(3600), UsageLedger.GroupBy.MODEL);
            assertThat(recent).extracting(UsageLedger.Summary::group).containsExactly("m1", "m2");
            assertThat(recent.getFirst().requests()).isEqualTo(1);
            assertThat(recent.getFirst().errors()).isEqualTo(1);
            assertThat(recent.get(1).costUsd()).isCloseTo(0.5, within(1e-9));
            assertThat(ledger.spendByKey().get("a")).isCloseTo(1.5, within(1e-9));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void closeWritesWhatIsQueued(StoreKind kind) {
        try (MetadataStore store = kind.open(dir)) {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            try (UsageLedger ledger = new UsageLedger(store)) {
                for (int i = 0; i < 100; i++) {
                    futures.add(ledger.record(event("k", "m", "b", 200, 0, Instant.now())));
                }
            }
            assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
            try (UsageLedger reopened = new UsageLedger(store)) {
                assertThat(reopened.count()).isEqualTo(100);
            }
        }
    }
}
