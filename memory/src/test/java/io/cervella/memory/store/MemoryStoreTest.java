package io.cervella.memory.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.core.store.MetadataStore;
import io.cervella.core.testkit.StoreKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Collections and documents on both databases. */
class MemoryStoreTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void collectionsAndDocumentsRoundTrip(StoreKind kind) {
        try (MetadataStore db = kind.open(dir)) {
            MemoryStore store = new MemoryStore(db);
            assertThat(store.createCollection("sncp", "all-minilm-l6-v2", 384)).isTrue();
            assertThat(store.createCollection("sncp", "other", 10)).isFalse();
            assertThat(store.collection("sncp").orElseThrow().dimension()).isEqualTo(384);
            assertThatThrownBy(() -> store.createCollection("Bad Name", "m", 1)).hasMessageContaining("collection name");

            MemoryStore.Put first = store.putDocument("sncp", "decisioni.md", "# Decisioni\nPostgreSQL.", Map.of("autore", "Rafa", "anno", 2026));
            assertThat(first.created()).isTrue();
            assertThat(first.changed()).isTrue();
            MemoryStore.Put same = store.putDocument("sncp", "decisioni.md", "# Decisioni\nPostgreSQL.", Map.of("anno", 2026, "autore", "Rafa"));
            assertThat(same.changed()).as("same content and metadata, in any key order").isFalse();
            MemoryStore.Put edited = store.putDocument("sncp", "decisioni.md", "# Decisioni\nPostgreSQL e S3.", Map.of("autore", "Rafa"));
            assertThat(edited.changed()).isTrue();
            assertThat(edited.created()).isFalse();
            MemoryStore.StoredDocument doc = store.document("sncp", "decisioni.md").orElseThrow();
            assertThat(doc.content()).isEqualTo("# Decisioni\nPostgreSQL e S3.");
            assertThat(doc.metadata()).containsEntry("autore", "Rafa").doesNotContainKey("anno");

            store.putDocument("sncp", "altro.md", "altro", Map.of());
            List<String> ids = new ArrayList<>();
            store.forEachDocument("sncp", d -> ids.add(d.id()));
            assertThat(ids).containsExactly("altro.md", "decisioni.md");
            assertThat(store.deleteDocument("sncp", "altro.md")).isTrue();
            assertThat(store.deleteDocument("sncp", "altro.md")).isFalse();
            assertThatThrownBy(() -> store.putDocument("nessuna", "x", "y", Map.of())).hasMessageContaining("no collection");

            assertThat(store.deleteCollection("sncp")).isTrue();
            assertThat(store.collections()).isEmpty();
            assertThat(store.document("sncp", "decisioni.md")).isEmpty();
        }
    }
}
