package io.cervella.backup.source;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * The PostgreSQL metadata database (docs/formats/backup.md, What a snapshot holds): every table of the
 * schema exported with {@code COPY … TO STDOUT (FORMAT binary)} inside one {@code REPEATABLE READ, READ
 * ONLY} transaction, so that all tables are of one instant while the nodes go on writing. Files:
 * {@code postgres/schema} (the Flyway version, and the tables parents first) and
 * {@code postgres/TABLE.copy}. The exports are made when the files are listed, and dropped at close.
 */
public final class PostgresSource implements DatabaseSource {
    static final String HISTORY = "flyway_schema_history";

    private final DataSource dataSource;
    private final Path scratch;
    private final List<Path> made = new ArrayList<>();
    private int schemaVersion;

    public PostgresSource(DataSource dataSource, Path scratch) {
        this.dataSource = dataSource;
        this.scratch = scratch;
    }

    @Override
    public String name() {
        return "db";
    }

    @Override
    public String kind() {
        return "postgresql";
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
    public List<SourceFile> files() throws IOException {
        Files.createDirectories(scratch);
        List<SourceFile> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                schemaVersion = flywayVersion(c);
                List<String> tables = tablesParentsFirst(c);
                var copy = c.unwrap(PGConnection.class).getCopyAPI();
                for (String table : tables) {
                    Path f = Files.createTempFile(scratch, "pg-" + table + "-", ".copy");
                    made.add(f);
                    try (OutputStream o = Files.newOutputStream(f)) {
                        copy.copyOut("COPY " + quote(table) + " TO STDOUT (FORMAT binary)", o);
                    }
                    out.add(new SourceFile("postgres/" + table + ".copy", Files.size(f), now, () -> Files.newInputStream(f)));
                }
                byte[] schema = ("version " + schemaVersion + "\ntables " + String.join(" ", tables) + "\n").getBytes(StandardCharsets.UTF_8);
                out.addFirst(new SourceFile("postgres/schema", schema.length, now, () -> new ByteArrayInputStream(schema)));
            } finally {
                c.rollback(); // read only: nothing to keep; ends the snapshot
            }
        } catch (SQLException e) {
            throw new IOException("cannot export the PostgreSQL database: " + e.getMessage(), e);
        }
        return out;
    }

    static int flywayVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT MAX(CAST(version AS INTEGER)) FROM " + HISTORY + " WHERE success AND version IS NOT NULL")) {
            return r.next() ? r.getInt(1) : 0;
        }
    }

    /** The schema's tables (Flyway's own left out), each after the tables its foreign keys point to. */
    static List<String> tablesParentsFirst(Connection c) throws SQLException {
        Set<String> tables = new TreeSet<>();
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                     + " AND table_type = 'BASE TABLE'")) {
            while (r.next()) {
                tables.add(r.getString(1));
            }
        }
        tables.remove(HISTORY);
        Map<String, Set<String>> parents = new HashMap<>();
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT DISTINCT tc.table_name, ccu.table_name FROM information_schema.table_constraints tc"
                     + " JOIN information_schema.constraint_column_usage ccu ON tc.constraint_name = ccu.constraint_name"
                     + " AND tc.table_schema = ccu.table_schema WHERE tc.constraint_type = 'FOREIGN KEY'"
                     + " AND tc.table_schema = current_schema()")) {
            while (r.next()) {
                if (!r.getString(1).equals(r.getString(2))) {
                    parents.computeIfAbsent(r.getString(1), k -> new HashSet<>()).add(r.getString(2));
                }
            }
        }
        List<String> ordered = new ArrayList<>();
        Set<String> placed = new HashSet<>();
        while (ordered.size() < tables.size()) {
            boolean progress = false;
            for (String t : tables) {
                if (!placed.contains(t) && placed.containsAll(parents.getOrDefault(t, Set.of()).stream().filter(tables::contains).toList())) {
                    ordered.add(t);
                    placed.add(t);
                    progress = true;
                }
            }
            if (!progress) {
                throw new SQLException("the tables' foreign keys form a cycle: " + tables);
            }
        }
        return ordered;
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    public void close() throws IOException {
        for (Path p : made) {
            Files.deleteIfExists(p);
        }
        made.clear();
    }
}
