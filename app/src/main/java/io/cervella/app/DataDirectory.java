package io.cervella.app;

import io.cervella.core.config.DatabaseConfig;
import io.cervella.core.store.MetadataStore;
import java.nio.file.Path;

/** The layout of DATA: cervella.db, admin.key, tls/, cervella.yaml, memory/, vault/. */
public record DataDirectory(Path root) {
    public Path database() { return root.resolve("cervella.db"); }
    public Path adminKey() { return root.resolve("admin.key"); }
    public Path tls() { return root.resolve("tls"); }
    /** The memory's Lucene indexes, one folder per collection (derived from the database). */
    public Path memory() { return root.resolve("memory"); }
    /** The vault's blob store when it is a local folder (the default): encrypted packs, manifests, keys. */
    public Path vault() { return root.resolve("vault"); }

    /** Opens the metadata store the config names: PostgreSQL by URL, else SQLite in here. */
    public MetadataStore openStore(DatabaseConfig db) {
        if (db.url() != null && db.url().startsWith("jdbc:postgresql:")) {
            String password = db.passwordEnv() == null ? null : System.getenv(db.passwordEnv());
            return MetadataStore.openPostgres(db.url(), db.user(), password);
        }
        if (db.url() != null) {
            return MetadataStore.openSqlite(Path.of(db.url().substring("jdbc:sqlite:".length())));
        }
        return MetadataStore.openSqlite(database());
    }
}
