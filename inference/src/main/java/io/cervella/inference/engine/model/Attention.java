package io.cervella.inference.engine.model;

import static io.cervella.inference.engine.model.VectorDot.F;
import static io.cervella.inference.engine.model.VectorDot.LANES;

import jdk.incubator.vector.FloatVector;

/**
 * Causal grouped-query attention over the KV cache, spread over a {@link ThreadTeam}: the (query
 * position, head) pairs of a pass are independent, and each thread takes a contiguous run of them.
 * Within one pair: scores q·k for every cached position, a softmax, and the weighted sum of values,
 * all on vectors along the head dimension.
 */
final class Attention {
    private final ModelConfig c;
    private final ThreadTeam team;

    Attention(ModelConfig c, ThreadTeam team) {
        this.c = c;
        this.team = team;
    }

    /**
     * out[b] = attention of q[b], the query at position {@code positions[b]} of the sequence whose cache
     * is {@code caches[b]}, over that cache's positions 0..positions[b] in layer {@code layer}.
     */
    void apply(float[][] q, KvCache[] caches, int[] positions, int layer, float[][] out) {
        int heads = c.heads();
        int pairs = q.length * heads;
        int longest = 0;
        for (int p : positions) {
            longest = Math.max(longest, p + 1);
        }
        int scoresLength = longest;
        team.run(member -> {
            int from = team.rangeStart(pairs, member);
            int to = team.rangeStart(pairs, member + 1);
            float[] scores = new float[scoresLength];
            for (int p = from; p < to; p++) {
                int b = p / heads;
                head(q[b], caches[b], layer, positions[b], p % heads, scores, out[b]);
            }
        });
    }

    private void head(float[] q, KvCache cache, int layer, int pos, int h, float[] scores, float[] out) {
        int d = c.headDim();
        int qOff = h * d;
        int kvOff = (h / (c.heads() / c.kvHeads())) * d;
        float scale = (float) (1.0 / Math.sqrt(d));
        float[][] keys = cache.keys[layer];
        float[][] values = cache.values[layer];
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t <= pos; t++) {
            scores[t] = VectorDot.dot(q, qOff, keys[t], kvOff, d) * scale;
            max = Math.max(max, scores[t]);
        }
        float sum = softmaxNumerators(scores, pos + 1, max);
        float inv = 1f / sum;
        for (int i = 0; i < d; i++) {
            out[qOff + i] = 0;
        }
        for (int t = 0; t <= pos; t++) {
            float p = scores[t] * inv;
            float[] value = values[t];
            int i = 0;
            FloatVector pv = FloatVector.broadcast(F, p);
            for (; i + LANES <= d; i += LANES) {
                FloatVector.fromArray(F, value, kvOff + i).fma(pv, FloatVector.fromArray(F, out, qOff + i))
                        .intoArray(out, qOff + i);
            }
            for (; i < d; i++) {
                out[qOff + i] += p * value[kvOff + i];
            }
        }
    }

    /** scores[t] = exp(scores[t] − max) for t in [0, count); returns their sum, added in order. */
    private static float softmaxNumerators(float[] scores, int count, float max) {
        for (int t = 0; t < count; t++) {
            scores[t] -= max;
        }
        VectorMath.expInPlace(scores, count);
        float sum = 0;
        for (int t = 0; t < count; t++) {
            sum += scores[t];
        }
        return sum;
    }
}
