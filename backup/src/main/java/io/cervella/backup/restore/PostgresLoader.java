package io.cervella.backup.restore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;

/**
 * Loads a restored {@code postgres/} folder into a PostgreSQL database (docs/formats/backup.md,
 * restore): the schema made by Flyway at the snapshot's version, then every table's rows with
 * {@code COPY … FROM STDIN}, parents first, in one transaction. The database must be empty: a restore
 * never mixes with live rows. The next server start migrates it on to the current version.
 */
public final class PostgresLoader {
    private PostgresLoader() {}

    /** Loads {@code folder} (DIR/postgres) into the database; returns the tables loaded. */
    public static List<String> load(Path folder, DataSource target) throws IOException {
        List<String> lines = Files.readAllLines(folder.resolve("schema"), StandardCharsets.UTF_8);
        if (lines.size() < 2 || !lines.get(0).startsWith("version ") || !lines.get(1).startsWith("tables")) {
            throw new IOException(folder.resolve("schema") + " is not a schema file of a backup");
        }
        String version = lines.get(0).substring("version ".length()).strip();
        List<String> tables = Arrays.stream(lines.get(1).substring("tables".length()).strip().split(" ")).filter(t -> !t.isEmpty()).toList();
        try (Connection c = target.getConnection()) {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM information_schema.tables"
                    + " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")) {
                r.next();
                if (r.getInt(1) > 0) {
                    throw new IOException("the target database is not empty (it has tables): restore into a new, empty database");
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot reach the target database: " + e.getMessage(), e);
        }
        try {
            Flyway.configure().dataSource(target).locations("classpath:db/migration").target(version).load().migrate();
        } catch (RuntimeException e) {
            throw new IOException("cannot make the schema at version " + version + ": " + e.getMessage(), e);
        }
        try (Connection c = target.getConnection()) {
            c.setAutoCommit(false);
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            for (String table : tables) {
                try (InputStream in = Files.newInputStream(folder.resolve(table + ".copy"))) {
                    copy.copyIn("COPY \"" + table.replace("\"", "\"\"") + "\" FROM STDIN (FORMAT binary)", in);
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new IOException("cannot load the rows: " + e.getMessage() + " (nothing was loaded)", e);
        }
        return tables;
    }
}
