package io.cervella.inference.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SamplerTest {
    /** Logits whose softmax at temperature 1 is {0.5, 0.25, 0.125, 0.0625, 0.0625}. */
    private static float[] logits() {
        return new float[] {(float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.125),
            (float) Math.log(0.0625), (float) Math.log(0.0625)};
    }

    private static SamplingParams params(double temperature, double topP, int topK, double minP, double rep,
                                         double presence, double frequency, Long seed) {
        return new SamplingParams(temperature, topP, topK, minP, rep, presence, frequency, seed);
    }

    private static int[] histogram(SamplingParams p, int draws) {
        Sampler s = new Sampler(p);
        int[] counts = new int[5];
        for (int i = 0; i < draws; i++) {
            counts[s.sample(logits(), new int[0], 0)]++;
        }
        return counts;
    }

    @Test
    void temperatureZeroIsGreedy() {
        assertThat(histogram(params(0, 1, 0, 0, 1, 0, 0, null), 100)).containsExactly(100, 0, 0, 0, 0);
    }

    @Test
    void drawsFollowTheDistribution() {
        int[] c = histogram(params(1, 1, 0, 0, 1, 0, 0, 42L), 40_000);
        double[] expected = {0.5, 0.25, 0.125, 0.0625, 0.0625};
        for (int i = 0; i < 5; i++) {
            assertThat(c[i] / 40_000.0).isCloseTo(expected[i], org.assertj.core.api.Assertions.within(0.01));
        }
    }

    @Test
    void theSameSeedReplaysTheSameChoices() {
        assertThat(histogramSequence(7L)).isEqualTo(histogramSequence(7L)).isNotEqualTo(histogramSequence(8L));
    }

    private static String histogramSequence(long seed) {
        Sampler s = new Sampler(params(1, 1, 0, 0, 1, 0, 0, seed));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            sb.append(s.sample(logits(), new int[0], 0));
        }
        return sb.toString();
    }

    @Test
    void topKTopPAndMinPCutTheTail() {
        assertThat(histogram(params(1, 1, 2, 0, 1, 0, 0, 1L), 5000)).satisfies(c -> {
            assertThat(c[2] + c[3] + c[4]).isZero();
            assertThat(c[0]).isGreaterThan(c[1]);
        });
        // top_p 0.7: 0.5 + 0.25 reaches it, so the first two remain
        assertThat(histogram(params(1, 0.7, 0, 0, 1, 0, 0, 1L), 5000)).satisfies(c -> assertThat(c[2] + c[3] + c[4]).isZero());
        // min_p 0.3: 0.25 / 0.5 passes, 0.125 / 0.5 does not
        assertThat(histogram(params(1, 1, 0, 0.3, 1, 0, 0, 1L), 5000)).satisfies(c -> assertThat(c[2] + c[3] + c[4]).isZero());
    }

    @Test
    void penaltiesPushRecentTokensDown() {
        int[] history = {0, 0, 0};
        float[] a = logits();
        new Sampler(params(0, 1, 0, 0, 1, 0, 0, null)).sample(a, history, 3);
        assertThat(a[0]).isEqualTo(logits()[0]); // no penalty: unchanged
        float[] b = logits();
        int choice = new Sampler(params(0, 1, 0, 0, 1, 0.5, 0.5, null)).sample(b, history, 3);
        assertThat(b[0]).isEqualTo((float) (logits()[0] - 3 * 0.5 - 0.5), org.assertj.core.api.Assertions.within(1e-6f));
        assertThat(choice).isEqualTo(1); // the repeated token lost its lead
        float[] c = logits();
        new Sampler(params(0, 1, 0, 0, 2, 0, 0, null)).sample(c, history, 3);
        assertThat(c[0]).isEqualTo(logits()[0] * 2); // negative logit: multiplied
    }

    @Test
    void outOfRangeSettingsAreRefused() {
        assertThatThrownBy(() -> params(3, 1, 0, 0, 1, 0, 0, null)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> params(1, 0, 0, 0, 1, 0, 0, null)).hasMessageContaining("top_p");
        assertThatThrownBy(() -> params(1, 1, -1, 0, 1, 0, 0, null)).hasMessageContaining("top_k");
        assertThatThrownBy(() -> params(1, 1, 0, 0, 0, 0, 0, null)).hasMessageContaining("repetition_penalty");
    }
}
