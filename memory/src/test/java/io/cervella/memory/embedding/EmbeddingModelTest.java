package io.cervella.memory.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real all-MiniLM-L6-v2 from its jar, through our tokenizer and ONNX Runtime. */
class EmbeddingModelTest {
    static OnnxEmbeddingModel model;

    @BeforeAll
    static void load() {
        model = OnnxEmbeddingModel.loadDefault(2);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Ids of bert-base-uncased's vocabulary, which this model uses. */
    @Test
    void tokenizerGivesBertsIds() {
        WordPieceTokenizer t = (WordPieceTokenizer) model.tokenizer();
        assertThat(t.encode("Hello world")).containsExactly(101, 7592, 2088, 102);
        assertThat(t.encode("HELLO,   world!")).containsExactly(101, 7592, 1010, 2088, 999, 102);
        // accents stripped (perché → perche), words outside the vocabulary cut into ## pieces
        int[] italian = t.encode("Perché");
        assertThat(italian[0]).isEqualTo(101);
        assertThat(italian[italian.length - 1]).isEqualTo(102);
        assertThat(t.encode("Perché")).containsExactly(t.encode("perche"));
        assertThat(italian.length).isGreaterThan(3);
        assertThat(t.encode("\uFEFFHello world")).as("a byte-order mark is dropped").containsExactly(101, 7592, 2088, 102);
        assertThat(t.encode("co\u00ADoperation")).as("a soft hyphen is dropped").containsExactly(t.encode("cooperation"));
        assertThat(t.encode("x".repeat(5000))).hasSizeLessThanOrEqualTo(t.maxLength());
        assertThat(t.encode("parola ".repeat(1000))).hasSize(t.maxLength());
    }

    @Test
    void vectorsHaveUnitLengthAndMeaningDecidesDistance() {
        float[][] v = model.embed(List.of(
                "The cat sits on the mat.",
                "A kitten is resting on a rug.",
                "Stock markets fell sharply today.",
                "Il gatto dorme sul tappeto."), null);
        assertThat(model.dimension()).isEqualTo(384);
        for (float[] x : v) {
            assertThat(dot(x, x)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(dot(v[0], v[1])).isGreaterThan(dot(v[0], v[2]) + 0.2);
        assertThat(dot(v[1], v[0])).isGreaterThan(dot(v[1], v[2]));
    }

    @Test
    void aBatchGivesWhatEachTextGivesAlone() {
        List<String> texts = List.of("short", "a somewhat longer sentence about backups in two regions", "medium length text");
        int[] tokens = new int[3];
        float[][] together = model.embed(texts, tokens);
        assertThat(tokens[0]).isEqualTo(3);
        for (int i = 0; i < texts.size(); i++) {
            float[] alone = model.embed(List.of(texts.get(i)), null)[0];
            assertThat(dot(alone, together[i])).as("text %d", i).isGreaterThan(0.99999);
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
