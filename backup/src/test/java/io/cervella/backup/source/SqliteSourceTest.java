package io.cervella.backup.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The online backup API gives one instant of a database another connection keeps writing to. */
class SqliteSourceTest {
    @TempDir Path tmp;

    @Test
    void theCopyIsConsistentWhileWritesGoOn() throws Exception {
        Path db = tmp.resolve("cervella.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL)");
            s.execute("CREATE TABLE totals (one INTEGER PRIMARY KEY, sum INTEGER NOT NULL)");
            s.execute("INSERT INTO totals VALUES (1, 0)");
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong committed = new AtomicLong();
        Thread writer = Thread.ofPlatform().start(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                c.setAutoCommit(false);
                for (int i = 1; !stop.get(); i++) {
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("INSERT INTO ledger (amount) VALUES (" + i + ")");
                        s.executeUpdate("UPDATE totals SET sum = sum + " + i);
                    }
                    c.commit(); // a row and the total move together, or not at all
                    committed.incrementAndGet();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        while (committed.get() < 200) {
            Thread.sleep(5);
        }
        List<SourceFile> files;
        Path copy = tmp.resolve("copy.db");
        try (SqliteSource source = new SqliteSource(db, tmp.resolve("scratch"))) {
            files = source.files();
            assertThat(files).extracting(SourceFile::path).containsExactly("cervella.db");
            try (var in = files.getFirst().opener().open()) {
                Files.copy(in, copy);
            }
        }
        long atEnd;
        stop.set(true);
        writer.join();
        atEnd = committed.get();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
                r.next();
                assertThat(r.getString(1)).isEqualTo("ok");
            }
            try (ResultSet r = s.executeQuery("SELECT (SELECT COUNT(*) FROM ledger), (SELECT COALESCE(SUM(amount), 0) FROM ledger),"
                    + " (SELECT sum FROM totals)")) {
                r.next();
                long rows = r.getLong(1);
                assertThat(rows).isBetween(200L, atEnd);
                assertThat(r.getLong(2)).as("the ledger and its total from the same instant").isEqualTo(r.getLong(3));
                assertThat(r.getLong(2)).isEqualTo(rows * (rows + 1) / 2);
            }
        }
        assertThat(Files.list(tmp.resolve("scratch")).toList()).as("the copy dropped at close").isEmpty();
    }
}
