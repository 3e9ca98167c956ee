package io.cervella.inference.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.gguf.GgufFile;
import io.cervella.inference.engine.synth.ModelSynth;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Continuous batching changes nothing: sequences run together in one pass give the logits they give
 * alone, and a prompt run in one piece gives the logits it gives token by token, to the last bit.
 */
class BatchedForwardTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_K", "Q6_K"})
    void aPassOfSeveralSequencesGivesWhatEachGivesAlone(GgmlType type) throws Exception {
        Path file = dir.resolve("qwen3-" + type + ".gguf");
        ModelSynth.write(new ModelSynth.Spec(ModelSynth.Arch.QWEN3, ModelSynth.Size.TINY, type, 11), file);
        int[] a = {5, 17, 42, 99, 3, 250, 7};
        int[] b = {300, 301, 2};
        int[] c = {11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21};
        try (GgufFile g = GgufFile.open(file); Transformer t = new Transformer(g, ModelConfig.from(g), 2)) {
            ModelConfig config = t.config();
            // alone, and token by token for a
            float[] aloneA = tokenByToken(t, a, new KvCache(config, 64));
            float[] aloneB = t.forward(b, new KvCache(config, 64));
            float[] aloneC = t.forward(c, new KvCache(config, 64));
            assertSameBits(t.forward(a, new KvCache(config, 64)), aloneA, "a in one piece and token by token");

            // together: a's prompt beside b and c, then one more token each in a second pass
            KvCache ca = new KvCache(config, 64);
            KvCache cb = new KvCache(config, 64);
            KvCache cc = new KvCache(config, 64);
            float[][] together = t.forward(List.of(new Transformer.Sequence(a, ca), new Transformer.Sequence(b, cb),
                    new Transformer.Sequence(c, cc)));
            assertSameBits(together[0], aloneA, "a");
            assertSameBits(together[1], aloneB, "b");
            assertSameBits(together[2], aloneC, "c");
            float[][] next = t.forward(List.of(new Transformer.Sequence(new int[] {8}, ca),
                    new Transformer.Sequence(new int[] {9}, cc)));
            KvCache soloA = new KvCache(config, 64);
            t.forward(a, soloA);
            assertSameBits(next[0], t.forward(new int[] {8}, soloA), "a's next token");
            assertThat(ca.length()).isEqualTo(a.length + 1);
            assertThat(cb.length()).isEqualTo(b.length);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0"})
    void aBadSequenceIsRefusedBeforeAnythingRuns(GgmlType type) throws Exception {
        Path file = dir.resolve("bad-" + type + ".gguf");
        ModelSynth.write(new ModelSynth.Spec(ModelSynth.Arch.QWEN2, ModelSynth.Size.TINY, type, 12), file);
        try (GgufFile g = GgufFile.open(file); Transformer t = new Transformer(g, ModelConfig.from(g), 2)) {
            KvCache good = new KvCache(t.config(), 64);
            KvCache small = new KvCache(t.config(), 2);
            assertThatThrownBy(() -> t.forward(List.of(new Transformer.Sequence(new int[] {1, 2}, good),
                    new Transformer.Sequence(new int[] {1, 2, 3}, small)))).hasMessageContaining("context full");
            assertThat(good.length()).as("the good sequence's cache is untouched").isZero();
            assertThatThrownBy(() -> t.forward(List.of(new Transformer.Sequence(new int[] {1}, good),
                    new Transformer.Sequence(new int[] {2}, good)))).hasMessageContaining("share a KV cache");
        }
    }

    private static float[] tokenByToken(Transformer t, int[] tokens, KvCache cache) {
        float[] logits = null;
        for (int token : tokens) {
            logits = t.forward(new int[] {token}, cache);
        }
        return logits;
    }

    private static void assertSameBits(float[] actual, float[] expected, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Float.floatToRawIntBits(actual[i])).as("%s, logit %d: %s vs %s", what, i, actual[i], expected[i])
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }
}
