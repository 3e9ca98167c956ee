package io.cervella.ops.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cervella.core.store.MetadataStore;
import io.cervella.core.testkit.PostgresTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes (two stores, two logs) and several threads on each append at once: one chain, 1..N. */
class AuditLogConcurrencyTest {
    private static final int THREADS_PER_NODE = 4;
    private static final int APPENDS_PER_THREAD = 25;

    @TempDir Path dir;

    @Test
    void twoNodesOnOneSqliteFileMakeOneGaplessChain() throws Exception {
        try (MetadataStore node1 = MetadataStore.openSqlite(dir.resolve("x.db"));
             MetadataStore node2 = MetadataStore.openSqlite(dir.resolve("x.db"))) {
            appendAtOnceAndCheck(node1, node2);
        }
    }

    @Test
    void twoNodesOnOnePostgresMakeOneGaplessChain() throws Exception {
        Assumptions.assumeTrue(System.getenv("CERVELLA_TEST_PG_URL") != null || Files.isDirectory(Path.of("/usr/lib/postgresql")),
                "PostgreSQL's binaries are not installed");
        String url = PostgresTestServer.get().newDatabaseUrl();
        try (MetadataStore node1 = MetadataStore.openPostgres(url, null, null);
             MetadataStore node2 = MetadataStore.openPostgres(url, null, null)) {
            appendAtOnceAndCheck(node1, node2);
        }
    }

    private static void appendAtOnceAndCheck(MetadataStore node1, MetadataStore node2) throws Exception {
        List<AuditLog> logs = List.of(new AuditLog(node1, Clock.systemUTC()), new AuditLog(node2, Clock.systemUTC()));
        int total = logs.size() * THREADS_PER_NODE * APPENDS_PER_THREAD;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Long>>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(logs.size() * THREADS_PER_NODE)) {
            for (int n = 0; n < logs.size(); n++) {
                for (int t = 0; t < THREADS_PER_NODE; t++) {
                    AuditLog log = logs.get(n);
                    String actor = "node" + n + "-thread" + t;
                    results.add(pool.submit(() -> {
                        go.await();
                        List<Long> seqs = new ArrayList<>();
                        for (int i = 0; i < APPENDS_PER_THREAD; i++) {
                            seqs.add(log.append(actor, AuditActions.CONFIG_RELOAD, "", Map.of("i", i)).seq());
                        }
                        return seqs;
                    }));
                }
            }
            go.countDown();
            Set<Long> returned = new HashSet<>();
            for (Future<List<Long>> f : results) {
                returned.addAll(f.get());
            }
            assertEquals(total, returned.size(), "each append got a seq of its own");
        }
        List<AuditEntry> rows = new ArrayList<>();
        Long before = null;
        while (true) {
            List<AuditEntry> page = logs.get(1).list(new AuditQuery(null, null, before, 100));
            if (page.isEmpty()) {
                break;
            }
            rows.addAll(page);
            before = page.getLast().seq();
        }
        assertEquals(LongStream.rangeClosed(1, total).boxed().toList().reversed(), rows.stream().map(AuditEntry::seq).toList(),
                "1..N without gaps");
        assertEquals(total, rows.stream().map(AuditEntry::prevHash).distinct().count(), "no two rows link to one: no fork");
        AuditVerification v = logs.get(0).verify();
        assertTrue(v.ok(), v.toString());
        assertEquals(total, v.rowsChecked());
    }
}
