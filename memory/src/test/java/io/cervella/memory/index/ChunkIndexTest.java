package io.cervella.memory.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.memory.LabelledNotes;
import io.cervella.memory.chunk.Chunk;
import io.cervella.memory.embedding.OnnxEmbeddingModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real embedding model and real Lucene on a small labelled set of team notes (English and
 * Italian): paraphrases that share no word with their note, identifiers that carry no meaning, and
 * Italian words that need stemming.
 */
class ChunkIndexTest {
    @TempDir static Path dir;
    static OnnxEmbeddingModel model;
    static ChunkIndex index;

    static final Map<String, String> NOTES = LabelledNotes.NOTES;
    static final Map<String, String> QUERIES = LabelledNotes.QUERIES;

    @BeforeAll
    static void build() {
        model = OnnxEmbeddingModel.loadDefault(2);
        index = new ChunkIndex(dir.resolve("index"), model.dimension());
        int i = 0;
        for (Map.Entry<String, String> note : NOTES.entrySet()) {
            float[] v = model.embed(List.of(note.getValue()), null)[0];
            Chunk c = new Chunk(0, List.of("Note"), 0, note.getValue().length(), note.getValue());
            String lang = note.getKey().equals("pasta") || note.getKey().equals("meeting") || note.getKey().equals("budget") ? "it" : "en";
            index.replaceDocument(note.getKey(), List.of(new IndexedChunk(note.getKey(), c, v,
                    Map.of("lang", lang, "year", 2020 + (i++ % 7)))));
        }
    }

    @AfterAll
    static void close() {
        index.close();
        model.close();
    }

    private static List<Hit> search(SearchMode mode, String q, List<Filter> filters, int k) {
        return index.search(mode, q, model.embed(List.of(q), null)[0], filters, k);
    }

    /** Mean nDCG@10 over the queries (one relevant note each: 1 / log2(1 + its rank), 0 if absent). */
    private static double ndcgAt10(SearchMode mode) {
        double total = 0;
        for (Map.Entry<String, String> q : QUERIES.entrySet()) {
            List<Hit> hits = search(mode, q.getKey(), List.of(), 10);
            for (int rank = 1; rank <= hits.size(); rank++) {
                if (hits.get(rank - 1).documentId().equals(q.getValue())) {
                    total += 1 / (Math.log(1 + rank) / Math.log(2));
                    break;
                }
            }
        }
        return total / QUERIES.size();
    }

    @Test
    void hybridRanksBetterThanEitherAlone() {
        double vector = ndcgAt10(SearchMode.VECTOR);
        double keyword = ndcgAt10(SearchMode.KEYWORD);
        double hybrid = ndcgAt10(SearchMode.HYBRID);
        System.out.printf("nDCG@10 over %d queries: vector %.3f, keyword %.3f, hybrid %.3f%n", QUERIES.size(), vector, keyword, hybrid);
        // On this small set the model alone misses one identifier (INC-7731 ranks second) and words alone
        // miss every paraphrase; fused, every note comes first.
        assertThat(hybrid).isGreaterThan(Math.max(vector, keyword) + 0.015).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void meaningFindsParaphrasesAndWordsFindIdentifiers() {
        assertThat(search(SearchMode.VECTOR, "a pet that enjoys strolling outdoors", List.of(), 1).getFirst().documentId()).isEqualTo("dog");
        assertThat(search(SearchMode.KEYWORD, "INC-7731", List.of(), 1).getFirst().documentId()).isEqualTo("incident");
        assertThat(search(SearchMode.KEYWORD, "riunione", List.of(), 1).getFirst().documentId())
                .as("Italian stemming: riunione ~ riunioni").isEqualTo("meeting");
        Hit hit = search(SearchMode.HYBRID, "ERR-4521", List.of(), 1).getFirst();
        assertThat(hit.documentId()).isEqualTo("ci-failure");
        assertThat(hit.headings()).containsExactly("Note");
        assertThat(hit.text()).isEqualTo(NOTES.get("ci-failure"));
    }

    @Test
    void filtersExcludeWhatTheyMust() {
        for (SearchMode mode : SearchMode.values()) {
            List<Hit> italian = search(mode, "GPU dollars budget", List.of(new Filter.Equals("lang", "it")), 10);
            assertThat(italian).isNotEmpty().allMatch(h -> List.of("pasta", "meeting", "budget").contains(h.documentId()));
            List<Hit> some = search(mode, "GPU dollars budget", List.of(new Filter.AnyOf("lang", List.of("it", "xx"))), 10);
            assertThat(some).allMatch(h -> List.of("pasta", "meeting", "budget").contains(h.documentId()));
        }
        List<String> expected = new ArrayList<>();
        int i = 0;
        for (String id : NOTES.keySet()) {
            if (2020 + (i++ % 7) >= 2025) {
                expected.add(id);
            }
        }
        List<Hit> recent = search(SearchMode.VECTOR, "anything", List.of(new Filter.Range("year", 2025.0, null)), 100);
        assertThat(recent).extracting(Hit::documentId).containsExactlyInAnyOrderElementsOf(expected);
        List<Hit> window = search(SearchMode.KEYWORD, "the", List.of(new Filter.Range("year", null, 2020.5)), 100);
        assertThat(window).allMatch(h -> List.copyOf(NOTES.keySet()).indexOf(h.documentId()) % 7 == 0);
        assertThat(search(SearchMode.VECTOR, "x", List.of(new Filter.Equals("lang", "de")), 5)).isEmpty();
    }

    /** A metadata name may hold a number in one document and a text in another. */
    @Test
    void oneMetadataNameCanHoldNumbersAndTexts(@TempDir Path other) {
        try (ChunkIndex small = new ChunkIndex(other, 3)) {
            small.replaceDocument("n", List.of(new IndexedChunk("n", new Chunk(0, List.of(), 0, 1, "a"), new float[] {1, 0, 0},
                    Map.of("year", 2024))));
            small.replaceDocument("t", List.of(new IndexedChunk("t", new Chunk(0, List.of(), 0, 1, "b"), new float[] {0, 1, 0},
                    Map.of("year", "2024"))));
            assertThat(small.search(SearchMode.VECTOR, null, new float[] {1, 1, 0}, List.of(new Filter.Range("year", 2024.0, 2024.0)), 5))
                    .extracting(Hit::documentId).containsExactly("n");
            assertThat(small.search(SearchMode.VECTOR, null, new float[] {1, 1, 0}, List.of(new Filter.Equals("year", "2024")), 5))
                    .extracting(Hit::documentId).containsExactly("t");
        }
    }

    @Test
    void anIndexHeldElsewhereIsReportedAsInUse(@TempDir Path other) {
        try (ChunkIndex first = new ChunkIndex(other, 3)) {
            assertThatThrownBy(() -> new ChunkIndex(other, 3)).isInstanceOf(ChunkIndex.IndexInUseException.class)
                    .hasMessageContaining("in use");
            assertThat(first.size()).isZero();
        }
        new ChunkIndex(other, 3).close(); // free again once closed
    }

    @Test
    void documentsAreReplacedAndRemovedAndBadInputIsRefused(@TempDir Path other) {
        try (ChunkIndex small = new ChunkIndex(other, 3)) {
            Chunk a = new Chunk(0, List.of(), 0, 5, "alpha");
            Chunk b = new Chunk(1, List.of(), 6, 10, "beta");
            small.replaceDocument("d", List.of(new IndexedChunk("d", a, new float[] {1, 0, 0}, Map.of()),
                    new IndexedChunk("d", b, new float[] {0, 1, 0}, Map.of())));
            assertThat(small.size()).isEqualTo(2);
            small.replaceDocument("d", List.of(new IndexedChunk("d", a, new float[] {0, 0, 1}, Map.of())));
            assertThat(small.size()).isEqualTo(1);
            assertThat(small.search(SearchMode.KEYWORD, "beta", null, new ArrayList<Filter>(), 5)).isEmpty();
            small.replaceDocument("d", List.of());
            assertThat(small.size()).isZero();
            assertThatThrownBy(() -> small.replaceDocument("d", List.of(new IndexedChunk("d", a, new float[] {1, 0}, Map.of()))))
                    .hasMessageContaining("2 dimensions");
            assertThatThrownBy(() -> small.search(SearchMode.VECTOR, null, new float[] {1}, List.of(), 5))
                    .hasMessageContaining("3 dimensions");
            assertThatThrownBy(() -> small.search(SearchMode.KEYWORD, " ", null, List.of(), 5)).hasMessageContaining("query text");
            assertThatThrownBy(() -> new IndexedChunk("d", a, new float[3], Map.of("x", List.of())))
                    .hasMessageContaining("text or a number");
        }
    }
}
