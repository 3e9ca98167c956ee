package io.cervella.inference.engine.model;

import io.cervella.inference.engine.gguf.Dequantizer;
import io.cervella.inference.engine.gguf.GgufFile;
import io.cervella.inference.engine.gguf.GgufTensor;
import java.util.List;

/**
 * The forward pass of Llama-family decoders (llama, qwen2, qwen3), top to bottom:
 * embed → per layer [RMSNorm → Q,K,V (+bias for qwen2) → per-head Q/K RMSNorm (qwen3) → RoPE →
 * grouped-query causal attention over the KV cache → output projection → residual → RMSNorm →
 * SwiGLU feed-forward → residual] → final RMSNorm → logits (tied to the embeddings when the file has
 * no output matrix). Prompts go through in one batch, and the next tokens of several sequences can go
 * through together (continuous batching), each sequence attending only to its own cache.
 */
public final class Transformer implements AutoCloseable {
    private final ModelConfig c;
    private final Layer[] layers;
    private final GgufTensor embeddings;
    private final GgufTensor output;
    private final float[] outputNorm;
    private final ThreadTeam team;
    private final MatMul matmul;
    private final Attention attention;
    /** RoPE's inverse frequencies θ^(−2i/d), i < d/2. */
    private final double[] inverseFrequencies;

    private record Layer(float[] attnNorm, GgufTensor q, GgufTensor k, GgufTensor v, float[] qBias, float[] kBias,
                         float[] vBias, float[] qNorm, float[] kNorm, GgufTensor o, float[] ffnNorm, GgufTensor gate,
                         GgufTensor up, GgufTensor down) {
        /** Q, K and V read the same input: one matrix product for the three. */
        GgufTensor[] qkv() { return new GgufTensor[] {q, k, v}; }

        GgufTensor[] gateUp() { return new GgufTensor[] {gate, up}; }
    }

    public Transformer(GgufFile g, ModelConfig c, int threads) {
        this.c = c;
        this.embeddings = g.tensor("token_embd.weight");
        this.output = g.tensors().containsKey("output.weight") ? g.tensor("output.weight") : embeddings;
        this.outputNorm = Dequantizer.dequantize(g.tensor("output_norm.weight"));
        this.layers = new Layer[c.layers()];
        for (int i = 0; i < c.layers(); i++) {
            String p = "blk." + i + ".";
            layers[i] = new Layer(
                    Dequantizer.dequantize(g.tensor(p + "attn_norm.weight")),
                    g.tensor(p + "attn_q.weight"), g.tensor(p + "attn_k.weight"), g.tensor(p + "attn_v.weight"),
                    c.qkvBias() ? Dequantizer.dequantize(g.tensor(p + "attn_q.bias")) : null,
                    c.qkvBias() ? Dequantizer.dequantize(g.tensor(p + "attn_k.bias")) : null,
                    c.qkvBias() ? Dequantizer.dequantize(g.tensor(p + "attn_v.bias")) : null,
                    c.qkNorm() ? Dequantizer.dequantize(g.tensor(p + "attn_q_norm.weight")) : null,
                    c.qkNorm() ? Dequantizer.dequantize(g.tensor(p + "attn_k_norm.weight")) : null,
                    g.tensor(p + "attn_output.weight"),
                    Dequantizer.dequantize(g.tensor(p + "ffn_norm.weight")),
                    g.tensor(p + "ffn_gate.weight"), g.tensor(p + "ffn_up.weight"), g.tensor(p + "ffn_down.weight"));
        }
        this.team = new ThreadTeam(threads);
        this.matmul = new MatMul(team);
        this.attention = new Attention(c, team);
        this.inverseFrequencies = new double[c.headDim() / 2];
        for (int i = 0; i < inverseFrequencies.length; i++) {
            inverseFrequencies[i] = Math.pow(c.ropeTheta(), -2.0 * i / c.headDim());
        }
    }

    public ModelConfig config() { return c; }

    /** Tokens of one sequence for a pass: they go at the positions after what its cache holds. */
    public record Sequence(int[] tokens, KvCache cache) {}

    /**
     * Runs {@code tokens} at the positions after what the cache holds, appends them to the cache, and
     * returns the logits of the last one.
     */
    public float[] forward(int[] tokens, KvCache cache) {
        return forward(List.of(new Sequence(tokens, cache)))[0];
    }

    /**
     * One pass for several sequences at once (continuous batching): their tokens go through every
     * matrix product together, so each weight is read once for all of them, while attention looks only
     * at each sequence's own cache. Returns the logits of each sequence's last token. The results are
     * the same to the bit as running each sequence alone (see {@link MatMul}).
     */
    public float[][] forward(List<Sequence> batch) {
        float[][] hidden = lastHiddenStates(batch);
        float[][] logits = new float[hidden.length][c.vocabulary()];
        matmul.apply(output, hidden, logits, hidden.length);
        commit(batch);
        return logits;
    }

    /** {@link #lastHiddenStates} of one sequence, its tokens then kept in its cache. */
    float[] lastHiddenState(int[] tokens, KvCache cache) {
        List<Sequence> one = List.of(new Sequence(tokens, cache));
        float[] hidden = lastHiddenStates(one)[0];
        commit(one);
        return hidden;
    }

    /** The caches now hold the batch's tokens: done last, so that a pass that fails half-way adds nothing. */
    private static void commit(List<Sequence> batch) {
        for (Sequence s : batch) {
            s.cache().setLength(s.cache().length() + s.tokens().length);
        }
    }

    /**
     * Runs the sequences as {@link #forward} does and returns each one's last hidden state after the
     * final norm: what the output matrix turns into logits (and what llama.cpp hands out as a
     * last-token embedding). Writes the tokens' keys and values into the caches but leaves their
     * lengths to {@link #commit}.
     */
    float[][] lastHiddenStates(List<Sequence> batch) {
        int n = 0;
        java.util.Set<KvCache> caches = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Sequence s : batch) {
            if (s.tokens().length == 0) {
                throw new IllegalArgumentException("a sequence in the batch has no tokens");
            }
            if (!caches.add(s.cache())) {
                throw new IllegalArgumentException("two sequences of one batch share a KV cache");
            }
            int end = s.cache().length() + s.tokens().length;
            if (end > s.cache().capacity()) {
                throw new IllegalArgumentException("context full: " + end + " tokens exceed " + s.cache().capacity());
            }
            for (int t : s.tokens()) {
                if (t < 0 || t >= c.vocabulary()) {
                    throw new IllegalArgumentException("token " + t + " is outside the vocabulary");
                }
            }
            n += s.tokens().length;
        }
        // The batch's tokens laid end to end: row b belongs to rowCache[b] at position rowPosition[b].
        KvCache[] rowCache = new KvCache[n];
        int[] rowPosition = new int[n];
        int[] lastRow = new int[batch.size()];
        int e = c.embedding();
        float[][] x = new float[n][e];
        int row = 0;
        for (int si = 0; si < batch.size(); si++) {
            Sequence s = batch.get(si);
            for (int j = 0; j < s.tokens().length; j++, row++) {
                rowCache[row] = s.cache();
                rowPosition[row] = s.cache().length() + j;
                Dequantizer.dequantize(embeddings.type(), embeddings.data(), (long) s.tokens()[j] * e, x[row], 0, e);
            }
            lastRow[si] = row - 1;
        }
        float[][] xn = new float[n][e];
        float[][] q = new float[n][c.qDim()];
        float[][] k = new float[n][c.kvDim()];
        float[][] v = new float[n][c.kvDim()];
        float[][] att = new float[n][c.qDim()];
        float[][] proj = new float[n][e];
        float[][] gate = new float[n][c.feedForward()];
        float[][] up = new float[n][c.feedForward()];
        float[][][] qkv = {q, k, v};
        float[][][] gateUp = {gate, up};
        float[][][] rotations = rotations(rowPosition);
        for (int l = 0; l < c.layers(); l++) {
            Layer L = layers[l];
            for (int b = 0; b < n; b++) {
                rmsNorm(x[b], L.attnNorm(), xn[b], 0, e);
            }
            matmul.apply(xn, n, L.qkv(), qkv);
            for (int b = 0; b < n; b++) {
                if (L.qBias() != null) {
                    add(q[b], L.qBias());
                    add(k[b], L.kBias());
                    add(v[b], L.vBias());
                }
                if (L.qNorm() != null) {
                    for (int h = 0; h < c.heads(); h++) {
                        rmsNorm(q[b], L.qNorm(), q[b], h * c.headDim(), c.headDim());
                    }
                    for (int h = 0; h < c.kvHeads(); h++) {
                        rmsNorm(k[b], L.kNorm(), k[b], h * c.headDim(), c.headDim());
                    }
                }
                rope(q[b], c.heads(), rotations[0][b], rotations[1][b]);
                rope(k[b], c.kvHeads(), rotations[0][b], rotations[1][b]);
                System.arraycopy(k[b], 0, rowCache[b].keys[l][rowPosition[b]], 0, c.kvDim());
                System.arraycopy(v[b], 0, rowCache[b].values[l][rowPosition[b]], 0, c.kvDim());
            }
            attention.apply(q, rowCache, rowPosition, l, att);
            matmul.apply(L.o(), att, proj, n);
            for (int b = 0; b < n; b++) {
                add(x[b], proj[b]);
                rmsNorm(x[b], L.ffnNorm(), xn[b], 0, e);
            }
            matmul.apply(xn, n, L.gateUp(), gateUp);
            for (int b = 0; b < n; b++) {
                VectorMath.swiGlu(gate[b], up[b]);
            }
            matmul.apply(L.down(), gate, proj, n);
            for (int b = 0; b < n; b++) {
                add(x[b], proj[b]);
            }
        }
        float[][] last = new float[batch.size()][e];
        for (int si = 0; si < batch.size(); si++) {
            rmsNorm(x[lastRow[si]], outputNorm, last[si], 0, e);
        }
        return last;
    }

    /** out[off..off+len) = x[off..off+len) / rms · w, where rms includes the model's epsilon. */
    private void rmsNorm(float[] x, float[] w, float[] out, int off, int len) {
        double ss = 0;
        for (int i = 0; i < len; i++) {
            ss += (double) x[off + i] * x[off + i];
        }
        float scale = (float) (1.0 / Math.sqrt(ss / len + c.rmsEpsilon()));
        for (int i = 0; i < len; i++) {
            out[off + i] = x[off + i] * scale * w[i];
        }
    }

    private static void add(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }

    /** cos and sin of every rotation angle of the given positions: [0 cos, 1 sin][b][i]. */
    private float[][][] rotations(int[] positions) {
        int n = positions.length;
        float[][][] r = new float[2][n][inverseFrequencies.length];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < inverseFrequencies.length; i++) {
                double theta = positions[b] * inverseFrequencies[i];
                r[0][b][i] = (float) Math.cos(theta);
                r[1][b][i] = (float) Math.sin(theta);
            }
        }
        return r;
    }

    /** Rotary position embedding, per head; Qwen pairs (i, i + d/2), Llama pairs (2i, 2i + 1). */
    private void rope(float[] v, int heads, float[] cos, float[] sin) {
        int d = c.headDim();
        for (int h = 0; h < heads; h++) {
            int base = h * d;
            for (int i = 0; i < d / 2; i++) {
                int a = c.ropeNeox() ? base + i : base + 2 * i;
                int b = c.ropeNeox() ? base + i + d / 2 : base + 2 * i + 1;
                float x0 = v[a];
                float x1 = v[b];
                v[a] = x0 * cos[i] - x1 * sin[i];
                v[b] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }

    @Override
    public void close() {
        team.close();
    }
}
