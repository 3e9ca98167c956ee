package io.cervella.ops.alert;

import static io.cervella.ops.alert.AlertTesting.START;
import static io.cervella.ops.alert.AlertTesting.engine;
import static io.cervella.ops.alert.AlertTesting.json;
import static io.cervella.ops.alert.AlertTesting.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cervella.core.store.MetadataStore;
import io.cervella.core.testkit.PostgresTestServer;
import io.cervella.core.testkit.StoreKind;
import io.cervella.ops.config.OpsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Two nodes (two engines, each with its own connection pool) on one database announce each change once. */
class TwoNodesTest {
    private static final int BACKENDS = 12;

    @TempDir
    Path dir;

    /** Two stores on one database, as two processes would open it. */
    private MetadataStore[] openTwice(StoreKind kind) {
        return switch (kind) {
            case SQLITE -> new MetadataStore[] {
                    MetadataStore.openSqlite(dir.resolve("x.db")), MetadataStore.openSqlite(dir.resolve("x.db"))};
            case POSTGRESQL -> {
                String url = PostgresTestServer.get().newDatabaseUrl();
                yield new MetadataStore[] {
                        MetadataStore.openPostgres(url, null, null), MetadataStore.openPostgres(url, null, null)};
            }
        };
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void eachChangeIsAnnouncedOnceWhenTwoNodesEvaluateTogether(StoreKind kind) throws Exception {
        MetadataStore[] stores = openTwice(kind);
        try (WebhookReceiver receiver = new WebhookReceiver(); ExecutorService pool = Executors.newFixedThreadPool(2)) {
            TestClock clock = new TestClock(START);
            TestFacts facts = new TestFacts(clock);
            OpsConfig config = ops("""
                    alerts:
                      repeat_minutes: 30
                      webhooks: [{name: team, url: "%s"}]
                      rules: [{name: backend_down, for_seconds: 0}]""".formatted(receiver.url("/hook")));
            AlertEngine a = engine(config, stores[0], facts, clock, "node-a");
            AlertEngine b = engine(config, stores[1], facts, clock, "node-b");

            IntStream.range(0, BACKENDS).forEach(i -> facts.backend("gpu-" + i, false, "down"));
            assertEquals(BACKENDS, together(pool, a, b), "fired");
            assertEquals(0, together(pool, a, b), "nothing new on the next round");

            clock.advance(Duration.ofMinutes(30));
            assertEquals(BACKENDS, together(pool, a, b), "repeated once");

            IntStream.range(0, BACKENDS).forEach(i -> facts.backend("gpu-" + i, true, "ok"));
            clock.advance(Duration.ofMinutes(1));
            assertEquals(BACKENDS, together(pool, a, b), "resolved");

            Map<String, Long> perSubjectAndState = receiver.posts().stream().map(p -> json(p.body()))
                    .collect(Collectors.groupingBy(j -> j.get("subject").asString() + " " + j.get("status").asString(),
                            Collectors.counting()));
            for (int i = 0; i < BACKENDS; i++) {
                assertEquals(2L, perSubjectAndState.get("gpu-" + i + " firing"), "first and repeat, gpu-" + i);
                assertEquals(1L, perSubjectAndState.get("gpu-" + i + " resolved"), "gpu-" + i);
            }
            assertEquals(3 * BACKENDS, receiver.posts().size());
            assertEquals(3 * BACKENDS, a.recentLog(1000).size(), "one log row per message, whichever node sent it");
        } finally {
            stores[0].close();
            stores[1].close();
        }
    }

    /** Both engines evaluate at once; returns how many messages they sent between them. */
    private static int together(ExecutorService pool, AlertEngine a, AlertEngine b) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        Function<AlertEngine, java.util.concurrent.Callable<List<AlertMessage>>> round = e -> () -> {
            start.await();
            return e.evaluate();
        };
        Future<List<AlertMessage>> fa = pool.submit(round.apply(a));
        Future<List<AlertMessage>> fb = pool.submit(round.apply(b));
        return fa.get().size() + fb.get().size();
    }
}
