package io.cervella.core.testkit;

import io.cervella.core.store.MetadataStore;
import java.nio.file.Path;

/** The two databases every store test runs on. */
public enum StoreKind {
    SQLITE, POSTGRESQL;

    public MetadataStore open(Path tempDir) {
        return switch (this) {
            case SQLITE -> MetadataStore.openSqlite(tempDir.resolve("cervella.db"));
            case POSTGRESQL -> MetadataStore.openPostgres(PostgresTestServer.get().newDatabaseUrl(), null, null);
        };
    }
}
