package io.cervella.backup.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.restore.PostgresLoader;
import io.cervella.backup.restore.Restorer;
import io.cervella.backup.run.BackupRunner;
import io.cervella.backup.run.Progress;
import io.cervella.backup.snapshot.Snapshot;
import io.cervella.core.blob.LocalBlobStore;
import io.cervella.core.crypto.Unlock;
import io.cervella.core.store.MetadataStore;
import io.cervella.core.testkit.PostgresTestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** A real PostgreSQL exported at one instant while a writer goes on, then loaded into a new, empty database. */
class PostgresBackupTest {
    @TempDir Path tmp;

    @Test
    void everyTableIsOfOneInstantAndLoadsIntoAnEmptyDatabase() throws Exception {
        PostgresTestServer pg = PostgresTestServer.get();
        String sourceUrl = pg.newDatabaseUrl();
        try (MetadataStore store = MetadataStore.openPostgres(sourceUrl, null, null)) {
            try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO api_keys (id, name, key_hash, scopes, created_at) VALUES ('k1', 'agent', 'h', 'chat', 1)");
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong committed = new AtomicLong();
            Thread writer = Thread.ofPlatform().start(() -> {
                try (Connection c = store.dataSource().getConnection()) {
                    c.setAutoCommit(false);
                    for (int i = 1; !stop.get(); i++) {
                        try (Statement s = c.createStatement()) {
                            // two rows a transaction: a snapshot that saw one without the other would be torn
                            for (int half = 0; half < 2; half++) {
                                s.executeUpdate("INSERT INTO usage_events (id, ts, key_id, model, backend, status, stream, prompt_tokens,"
                                        + " completion_tokens, tokens_estimated, latency_ms, cost_usd) VALUES ('e" + i + "-" + half + "', " + i
                                        + ", 'k1', 'baby', 'b', 200, 0, 1, 1, 0, 1.0, 0.0)");
                            }
                        }
                        c.commit();
                        committed.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            while (committed.get() < 100) {
                Thread.sleep(5);
            }
            BackupRepository repo = BackupRepository.create(new LocalBlobStore(tmp.resolve("repo")), new Unlock.Passphrase("pw"));
            Snapshot snap = new BackupRunner(repo, "h", Progress.NONE).run(List.of(new PostgresSource(store.dataSource(), tmp.resolve("scratch"))),
                    List.of());
            stop.set(true);
            writer.join();
            assertThat(snap.databaseKind()).isEqualTo("postgresql");
            assertThat(snap.schemaVersion()).isGreaterThanOrEqualTo(4);
            assertThat(tmp.resolve("scratch")).as("the exports dropped").isEmptyDirectory();

            Path restored = tmp.resolve("restored");
            new Restorer(repo, Progress.NONE).restore(snap, restored);
            String targetUrl = pg.newDatabaseUrl();
            PGSimpleDataSource target = new PGSimpleDataSource();
            target.setURL(targetUrl);
            List<String> tables = PostgresLoader.load(restored.resolve("postgres"), target);
            assertThat(tables).contains("api_keys", "usage_events");
            assertThat(tables).as("no Flyway table: the loader makes it").doesNotContain("flyway_schema_history");
            assertThat(tables.indexOf("memory_collections")).isLessThan(tables.indexOf("memory_documents"));
            try (Connection c = target.getConnection(); Statement s = c.createStatement()) {
                try (ResultSet r = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT ts) FROM usage_events")) {
                    r.next();
                    long rows = r.getLong(1);
                    assertThat(rows).as("both rows of every transaction, or neither").isEqualTo(2 * r.getLong(2));
                    assertThat(rows / 2).isBetween(100L, committed.get());
                }
                try (ResultSet r = s.executeQuery("SELECT name FROM api_keys WHERE id = 'k1'")) {
                    assertThat(r.next()).isTrue();
                    assertThat(r.getString(1)).isEqualTo("agent");
                }
            }
            // the loaded database opens as a metadata store (migrated on to the current version)
            try (MetadataStore reopened = MetadataStore.openPostgres(targetUrl, null, null)) {
                assertThat(reopened.isReachable()).isTrue();
            }
            assertThatThrownBy(() -> PostgresLoader.load(restored.resolve("postgres"), target)).hasMessageContaining("not empty");
        }
    }

    @Test
    void tablesComeAfterTheTablesTheirForeignKeysPointTo() throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(PostgresTestServer.get().newDatabaseUrl());
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            // alphabetical order would be wrong here: the child tables sort first
            s.execute("CREATE TABLE z_root (id INT PRIMARY KEY)");
            s.execute("CREATE TABLE m_middle (id INT PRIMARY KEY, root INT REFERENCES z_root (id))");
            s.execute("CREATE TABLE a_leaf (id INT PRIMARY KEY, middle INT REFERENCES m_middle (id), root INT REFERENCES z_root (id))");
            s.execute("CREATE TABLE b_self (id INT PRIMARY KEY, parent INT REFERENCES b_self (id))");
            assertThat(PostgresSource.tablesParentsFirst(c)).containsExactly("b_self", "z_root", "m_middle", "a_leaf");
        }
    }
}
