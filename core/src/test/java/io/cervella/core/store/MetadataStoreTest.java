package io.cervella.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.core.testkit.StoreKind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MetadataStoreTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void migratesAndAnswers(StoreKind kind) {
        try (MetadataStore store = kind.open(dir)) {
            assertThat(store.isReachable()).isTrue();
            int tables = store.jdbi().withHandle(h -> h.createQuery(
                    "SELECT COUNT(*) FROM flyway_schema_history WHERE success = " + (kind == StoreKind.SQLITE ? "1" : "true"))
                    .mapTo(Integer.class).one());
            assertThat(tables).as("applied migrations").isEqualTo(6);
        }
    }

    @Test
    void reopeningAnExistingSqliteDatabaseKeepsItsData() {
        Path file = dir.resolve("cervella.db");
        try (MetadataStore store = MetadataStore.openSqlite(file)) {
            store.jdbi().useHandle(h -> h.execute("INSERT INTO api_keys (id, name, key_hash, scopes, created_at) "
                    + "VALUES ('abc', 'n', 'h', 'chat', 1)"));
        }
        try (MetadataStore store = MetadataStore.openSqlite(file)) {
            String name = store.jdbi().withHandle(h -> h.createQuery("SELECT name FROM api_keys").mapTo(String.class).one());
            assertThat(name).isEqualTo("n");
        }
    }

    @Test
    void unreachablePostgresIsAClearError() {
        assertThatThrownBy(() -> MetadataStore.openPostgres("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2", "x", "y"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot open the metadata database (POSTGRESQL)");
    }

    @Test
    void aDatabaseFileThatIsNotSqliteIsAClearError() throws Exception {
        Path file = dir.resolve("broken.db");
        Files.writeString(file, "this is not a database, just text that is long enough to be read as a header.....");
        assertThatThrownBy(() -> MetadataStore.openSqlite(file)).isInstanceOf(StoreException.class);
    }
}
