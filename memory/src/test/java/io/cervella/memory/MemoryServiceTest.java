package io.cervella.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.core.store.MetadataStore;
import io.cervella.memory.chunk.MarkdownChunker;
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
}
