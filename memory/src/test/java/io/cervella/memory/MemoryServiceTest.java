package io.cervella.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.core.store.MetadataStore;
import io.cervella.memory.chunk.MarkdownChunker;
import io.cervella.memory.embedding.EmbeddingModel;
import io.cervella.memory.embedding.EmbeddingUnavailableException;
import io.cervella.memory.embedding.OnnxEmbeddingModel;
import io.cervella.memory.index.Hit;
import io.cervella.memory.index.SearchMode;
import io.cervella.memory.store.MemoryStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryServiceTest {
    @TempDir Path dir;
    static OnnxEmbeddingModel model;

    @BeforeAll
    static void load() {
        model = OnnxEmbeddingModel.loadDefault(2);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /**
     * What a kill -9 between the database commit and the index commit leaves behind (a document in the
     * database only, or gone from the database but still indexed) is put right when the index next opens.
     */
    @Test
    void theIndexCatchesUpWithTheDatabaseWhenItOpens() {
        try (MetadataStore db = MetadataStore.openSqlite(dir.resolve("cervella.db"))) {
            MemoryStore store = new MemoryStore(db);
            try (MemoryService memory = service(store)) {
                memory.createCollection("sncp", null);
                memory.putDocument("sncp", "gatto.md", "The office cat sleeps on the printer.", Map.of());
                memory.putDocument("sncp", "cane.md", "Our office dog likes long walks.", Map.of());
            }
            // the database moves on without the index (as if the process died before indexing)
            store.putDocument("sncp", "caffe.md", "The espresso machine is broken again.", Map.of());
            store.putDocument("sncp", "gatto.md", "The office cat now sleeps on the radiator.", Map.of());
            store.deleteDocument("sncp", "cane.md");
            try (MemoryService memory = service(store)) {
                List<Hit> coffee = memory.search("sncp", SearchMode.KEYWORD, "espresso", List.of(), 5);
                assertThat(coffee).extracting(Hit::documentId).containsExactly("caffe.md");
                assertThat(memory.search("sncp", SearchMode.KEYWORD, "radiator", List.of(), 5)).extracting(Hit::documentId)
                        .containsExactly("gatto.md");
                assertThat(memory.search("sncp", SearchMode.KEYWORD, "printer", List.of(), 5)).isEmpty();
                assertThat(memory.search("sncp", SearchMode.KEYWORD, "dog walks", List.of(), 5)).isEmpty();
            }
        }
    }

    private MemoryService service(MemoryStore store) {
        return new MemoryService(store, dir.resolve("memory"), List.of(model), new MarkdownChunker(480, 80));
    }

    /** A collection whose model left the config, or changed its dimension under the same name, is refused by name. */
    @Test
    void aCollectionsModelMustStillBeThere() {
        try (MetadataStore db = MetadataStore.openSqlite(dir.resolve("cervella.db"))) {
            MemoryStore store = new MemoryStore(db);
            try (MemoryService memory = service(store)) {
                memory.createCollection("sncp", null);
                memory.putDocument("sncp", "gatto.md", "The office cat sleeps on the printer.", Map.of());
            }
            EmbeddingModel otherShape = new EmbeddingModel() { // the same name, vectors of another length
                @Override public String name() { return model.name(); }
                @Override public int dimension() { return 8; }
                @Override public float[][] embed(List<String> texts, int[] tokens) { return new float[texts.size()][8]; }
                @Override public void close() {}
            };
            try (MemoryService memory = new MemoryService(store, dir.resolve("memory2"), List.of(otherShape),
                    new MarkdownChunker(480, 80))) {
                assertThatThrownBy(() -> memory.search("sncp", SearchMode.VECTOR, "cat", List.of(), 3))
                        .isInstanceOf(EmbeddingUnavailableException.class).hasMessageContaining("8 dimensions")
                        .hasMessageContaining("384");
            }
            try (MemoryService memory = new MemoryService(store, dir.resolve("memory4"), List.of(new NamedAs("e5", model)),
                    new MarkdownChunker(480, 80))) {
                assertThatThrownBy(() -> memory.putDocument("sncp", "cane.md", "A dog.", Map.of()))
                        .isInstanceOf(EmbeddingUnavailableException.class).hasMessageContaining("'all-minilm-l6-v2'")
                        .hasMessageContaining("memory.embedding_models");
            }
        }
    }

    /** A model under another name (as a config would list it). */
    private record NamedAs(String name, EmbeddingModel model) implements EmbeddingModel {
        @Override public int dimension() { return model.dimension(); }
        @Override public float[][] embed(List<String> texts, int[] tokens) { return model.embed(texts, tokens); }
        @Override public void close() {}
    }
}
