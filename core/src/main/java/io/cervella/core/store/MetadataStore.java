package io.cervella.core.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * The metadata database: SQLite in the data directory for one node, PostgreSQL when several nodes
 * share it. One set of Flyway migrations (db/migration) serves both, so the SQL there keeps to what
 * both understand: no auto-increment (ids come from the application), epoch-millisecond BIGINTs for
 * time, DOUBLE PRECISION for money.
 */
public final class MetadataStore implements AutoCloseable {
    public enum Dialect { SQLITE, POSTGRESQL }

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final Dialect dialect;

    private MetadataStore(HikariDataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.jdbi = Jdbi.create(dataSource);
    }

    /** Opens (creating if needed) DATA/cervella.db and migrates it. */
    public static MetadataStore openSqlite(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create the directory of " + file + ": " + e.getMessage(), e);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:sqlite:" + file.toAbsolutePath());
        config.setPoolName("cervella-sqlite");
        // WAL lets readers run beside the one writer. NORMAL in WAL mode: a committed transaction
        // survives a killed process (kill -9), and only an OS crash or power loss may lose the last
        // ones; FULL would add an fsync to every commit. IMMEDIATE takes the write lock at BEGIN so
        // that two writers queue on busy_timeout instead of failing with SQLITE_BUSY half-way through.
        config.addDataSourceProperty("journal_mode", "WAL");
        config.addDataSourceProperty("synchronous", "NORMAL");
        config.addDataSourceProperty("busy_timeout", "10000");
        config.addDataSourceProperty("foreign_keys", "true");
        config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
        config.setMaximumPoolSize(8);
        return open(config, Dialect.SQLITE);
    }

    public static MetadataStore openPostgres(String jdbcUrl, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setPoolName("cervella-postgres");
        config.setMaximumPoolSize(16);
        return open(config, Dialect.POSTGRESQL);
    }

    private static MetadataStore open(HikariConfig config, Dialect dialect) {
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the metadata database (" + dialect + "): " + rootMessage(e), e);
        }
        try {
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw new StoreException("cannot migrate the metadata database (" + dialect + "): " + rootMessage(e), e);
        }
        return new MetadataStore(ds, dialect);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    public Jdbi jdbi() { return jdbi; }

    /** For the few hot paths that keep a connection and prepared statements of their own. */
    public javax.sql.DataSource dataSource() { return dataSource; }

    public Dialect dialect() { return dialect; }

    /** True when the database answers a trivial query; used by /readyz. */
    public boolean isReachable() {
        try {
            return jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
