package io.cervella.memory.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.core.store.MetadataStore;
import io.cervella.memory.MemoryService;
import io.cervella.memory.chunk.MarkdownChunker;
import io.cervella.memory.embedding.OnnxEmbeddingModel;
import io.cervella.memory.store.MemoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folder mirroring: a symbolic link is followed, and a folder that turned up empty never empties a collection. */
class FolderIngestTest {
    @TempDir Path dir;

    @Test
    void aLinkedFolderIsReadAndAnEmptyOneEmptiesNothing() throws Exception {
        Path notes = Files.createDirectories(dir.resolve("notes"));
        Files.writeString(notes.resolve("a.md"), "# A\n\nThe office cat sleeps on the printer.\n");
        Files.writeString(notes.resolve("b.txt"), "The espresso machine is broken again.\n");
        Path link = Files.createSymbolicLink(dir.resolve("link"), notes);
        try (MetadataStore db = MetadataStore.openSqlite(dir.resolve("cervella.db"));
             OnnxEmbeddingModel model = OnnxEmbeddingModel.loadDefault(2);
             MemoryService memory = new MemoryService(new MemoryStore(db), dir.resolve("memory"), List.of(model),
                     new MarkdownChunker(480, 80))) {
            FolderIngest.Result r = FolderIngest.mirror(memory, link, "sncp", null, (d, t, id) -> {});
            assertThat(r.files()).isEqualTo(2);
            assertThat(memory.documentIds("sncp")).containsExactlyInAnyOrder("a.md", "b.txt");

            Files.delete(notes.resolve("a.md"));
            Files.delete(notes.resolve("b.txt")); // as an unmounted disk's empty mount point would look
            assertThatThrownBy(() -> FolderIngest.mirror(memory, link, "sncp", null, (d, t, id) -> {}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not emptying it");
            assertThat(memory.documentIds("sncp")).hasSize(2);

            Files.writeString(notes.resolve("c.md"), "Only this note is left.\n");
            assertThat(FolderIngest.mirror(memory, link, "sncp", null, (d, t, id) -> {}).removed()).isEqualTo(2);
            assertThat(memory.documentIds("sncp")).containsExactly("c.md");
        }
    }
}
