package io.cervella.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.core.store.MetadataStore;
import io.cervella.core.testkit.PostgresTestServer;
import io.cervella.core.testkit.StoreKind;
import io.cervella.memory.chunk.MarkdownChunker;
import io.cervella.memory.embedding.EmbeddingModel;
import io.cervella.memory.embedding.OnnxEmbeddingModel;
import io.cervella.memory.index.Hit;
import io.cervella.memory.index.SearchMode;
import io.cervella.memory.store.MemoryStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two nodes sharing one database, each with its own index: what one writes, the other finds after it
 * catches up; deletions and a collection made again follow too.
 */
class IndexFollowerTest {
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

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aSecondNodeFollowsTheFirstsWrites(StoreKind kind) throws Exception {
        String pgUrl = kind == StoreKind.POSTGRESQL ? PostgresTestServer.get().newDatabaseUrl() : null;
        try (MetadataStore dbA = open(kind, pgUrl); MetadataStore dbB = open(kind, pgUrl);
             MemoryService a = service(dbA, dir.resolve("node-a")); MemoryService b = service(dbB, dir.resolve("node-b"))) {
            a.createCollection("sncp", null);
            a.putDocument("sncp", "gatto.md", "The office cat sleeps on the printer.", Map.of());
            assertThat(ids(b, "printer")).containsExactly("gatto.md"); // b's index is built at first use

            a.putDocument("sncp", "caffe.md", "The espresso machine is broken again.", Map.of());
            a.deleteDocument("sncp", "gatto.md");
            assertThat(ids(b, "espresso")).as("not yet caught up").isEmpty();
            assertThat(b.catchUp()).isEqualTo(1);
            assertThat(ids(b, "espresso")).containsExactly("caffe.md");
            assertThat(ids(b, "printer")).isEmpty();
            assertThat(b.catchUp()).as("nothing new").isZero();
            b.putDocument("sncp", "te.md", "The kettle was replaced.", Map.of());
            b.deleteDocument("sncp", "te.md");
            assertThat(b.catchUp()).as("its own writes: nothing to look at").isZero();
            a.putDocument("sncp", "te.md", "The kettle was replaced again.", Map.of());
            b.putDocument("sncp", "tazze.md", "Cups are in the second drawer.", Map.of());
            assertThat(b.catchUp()).as("another node wrote in between: looked at").isEqualTo(1);
            assertThat(ids(b, "kettle")).containsExactly("te.md");

            // deleted and made again on node a: b drops its index and builds the new one
            a.deleteCollection("sncp");
            Thread.sleep(2); // created_at tells the two collections apart
            a.createCollection("sncp", null);
            a.putDocument("sncp", "cane.md", "Our office dog likes long walks.", Map.of());
            b.catchUp();
            assertThat(ids(b, "espresso")).isEmpty();
            assertThat(ids(b, "dog walks")).containsExactly("cane.md");

            // the follower thread does it by itself
            try (IndexFollower follower = new IndexFollower(b, Duration.ofMillis(50))) {
                follower.start();
                a.putDocument("sncp", "gpu.md", "The GPU box is an L4.", Map.of());
                Instant deadline = Instant.now().plusSeconds(30);
                while (ids(b, "GPU box").isEmpty() && Instant.now().isBefore(deadline)) {
                    Thread.sleep(20);
                }
                assertThat(ids(b, "GPU box")).containsExactly("gpu.md");
            }
        }
    }

    /** The same database twice: PostgreSQL by one URL, SQLite by one file (as two processes would). */
    private MetadataStore open(StoreKind kind, String pgUrl) {
        return pgUrl != null ? MetadataStore.openPostgres(pgUrl, null, null) : kind.open(dir);
    }

    private static List<String> ids(MemoryService m, String query) {
        return m.search("sncp", SearchMode.KEYWORD, query, List.of(), 5).stream().map(Hit::documentId).toList();
    }

    private static MemoryService service(MetadataStore db, Path indexes) {
        EmbeddingModel shared = new EmbeddingModel() { // one loaded model for both nodes; closed by the class
            @Override public String name() { return model.name(); }
            @Override public int dimension() { return model.dimension(); }
            @Override public float[][] embed(List<String> texts, int[] tokens) { return model.embed(texts, tokens); }
            @Override public void close() {}
        };
        return new MemoryService(new MemoryStore(db), indexes, List.of(shared), new MarkdownChunker(480, 80));
    }
}
