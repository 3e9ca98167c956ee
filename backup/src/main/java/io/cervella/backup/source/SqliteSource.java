package io.cervella.backup.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The SQLite metadata database, copied by SQLite's online backup API on a connection of its own: one
 * consistent instant while the server goes on writing (readers and the copy never block its WAL
 * writer). The copy is made when the files are listed, and dropped at close.
 */
public final class SqliteSource implements DatabaseSource {
    private final Path database;
    private final Path scratch;
    private Path copy;
    private int schemaVersion;

    /** {@code scratch}: a folder for the copy (on the same disk as the database, best). */
    public SqliteSource(Path database, Path scratch) {
        this.database = database;
        this.scratch = scratch;
    }

    @Override
    public String name() {
        return "db";
    }

    @Override
    public List<SourceFile> files() throws IOException {
        if (!Files.isRegularFile(database)) {
            throw new IOException("no database at " + database);
        }
        Files.createDirectories(scratch);
        copy = Files.createTempFile(scratch, "cervella-db-", ".backup");
        Files.delete(copy); // SQLite makes it
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath());
             Statement s = c.createStatement()) {
            s.setQueryTimeout(60);
            s.executeUpdate("backup to '" + copy.toAbsolutePath().toString().replace("'", "''") + "'");
        } catch (SQLException e) {
            throw new IOException("cannot copy the database with SQLite's backup API: " + e.getMessage(), e);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy.toAbsolutePath());
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT MAX(CAST(version AS INTEGER)) FROM flyway_schema_history WHERE success = 1")) {
            schemaVersion = r.next() ? r.getInt(1) : 0;
        } catch (SQLException e) {
            schemaVersion = 0; // not a Cervella database yet: backed up as it is
        }
        Path file = copy;
        return List.of(new SourceFile("cervella.db", Files.size(file), System.currentTimeMillis(), () -> Files.newInputStream(file)));
    }

    @Override
    public String kind() {
        return "sqlite";
    }

    @Override
    public int schemaVersion() {
        return schemaVersion;
    }

    @Override
    public boolean unchangedWhenSizeAndTimeMatch() {
        return false;
    }

    @Override
    public void close() throws IOException {
        if (copy != null) {
            Files.deleteIfExists(copy);
        }
    }
}
