package io.cervella.inference.engine.model;

import io.cervella.inference.engine.gguf.Dequantizer;
import io.cervella.inference.engine.gguf.GgufFile;
import io.cervella.inference.engine.gguf.GgufTensor;

/**
 * The forward pass of Llama-family decoders (llama, qwen2, qwen3), top to bottom:
 * embed → per layer [RMSNorm → Q,K,V (+bias for qwen2) → per-head Q/K RMSNorm (qwen3) → RoPE →
 * grouped-query causal attention over the KV cache → output projection → residual → RMSNorm →
 * SwiGLU feed-forward → residual] → final RMSNorm → logits (tied to the embeddings when the file has
 * no output matrix). Prompts go through in one batch; generation one token at a time.
 */
public final class Transformer implements AutoCloseable {
    private final ModelConfig c;
    private final Layer[] layers;
    private final GgufTensor embeddings;
    private final GgufTensor output;
    private final float[] outputNorm;
    private final MatMul matmul;

    private record Layer(float[] attnNorm, GgufTensor q, GgufTensor k, GgufTensor v, float[] qBias, float[] kBias,
                         float[] vBias, float[] qNorm, float[] kNorm, GgufTensor o, float[] ffnNorm, GgufTensor gate,
                         GgufTensor up, GgufTensor down) {}

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
        this.matmul = new MatMul(threads);
    }

    public ModelConfig config() { return c; }

    /**
     * Runs {@code tokens} at the positions after what the cache holds, appends them to the cache, and
     * returns the logits of the last one.
     */
    public float[] forward(int[] tokens, KvCache cache) {
        int n = tokens.length;
        int start = cache.length();
        if (start + n > cache.capacity()) {
            throw new IllegalArgumentException("context full: " + (start + n) + " tokens exceed " + cache.capacity());
        }
        int e = c.embedding();
        float[][] x = new float[n][e];
        for (int b = 0; b < n; b++) {
            if (tokens[b] < 0 || tokens[b] >= c.vocabulary()) {
                throw new IllegalArgumentException("token " + tokens[b] + " is outside the vocabulary");
            }
            Dequantizer.dequantize(embeddings.type(), embeddings.data(), (long) tokens[b] * e, x[b], 0, e);
        }
        float[][] xn = new float[n][e];
        float[][] q = new float[n][c.qDim()];
        float[][] k = new float[n][c.kvDim()];
        float[][] v = new float[n][c.kvDim()];
        float[][] att = new float[n][c.qDim()];
        float[][] proj = new float[n][e];
        float[][] gate = new float[n][c.feedForward()];
        float[][] up = new float[n][c.feedForward()];
        for (int l = 0; l < c.layers(); l++) {
            Layer L = layers[l];
            for (int b = 0; b < n; b++) {
                rmsNorm(x[b], L.attnNorm(), xn[b], 0, e);
            }
            matmul.apply(L.q(), xn, q, n);
            matmul.apply(L.k(), xn, k, n);
            matmul.apply(L.v(), xn, v, n);
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
                rope(q[b], c.heads(), start + b);
                rope(k[b], c.kvHeads(), start + b);
                System.arraycopy(k[b], 0, cache.keys[l][start + b], 0, c.kvDim());
                System.arraycopy(v[b], 0, cache.values[l][start + b], 0, c.kvDim());
            }
            for (int b = 0; b < n; b++) {
                attend(q[b], cache, l, start + b, att[b]);
            }
            matmul.apply(L.o(), att, proj, n);
            for (int b = 0; b < n; b++) {
                add(x[b], proj[b]);
                rmsNorm(x[b], L.ffnNorm(), xn[b], 0, e);
            }
            matmul.apply(L.gate(), xn, gate, n);
            matmul.apply(L.up(), xn, up, n);
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < c.feedForward(); i++) {
                    float g = gate[b][i];
                    gate[b][i] = g / (1f + (float) Math.exp(-g)) * up[b][i]; // SiLU(gate) * up
                }
            }
            matmul.apply(L.down(), gate, proj, n);
            for (int b = 0; b < n; b++) {
                add(x[b], proj[b]);
            }
        }
        cache.setLength(start + n);
        float[][] last = new float[1][e];
        rmsNorm(x[n - 1], outputNorm, last[0], 0, e);
        float[][] logits = new float[1][c.vocabulary()];
        matmul.apply(output, last, logits, 1);
        return logits[0];
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

    /** Rotary position embedding, per head; Qwen pairs (i, i + d/2), Llama pairs (2i, 2i + 1). */
    private void rope(float[] v, int heads, int pos) {
        int d = c.headDim();
        for (int h = 0; h < heads; h++) {
            int base = h * d;
            for (int i = 0; i < d / 2; i++) {
                double theta = pos * Math.pow(c.ropeTheta(), -2.0 * i / d);
                float cos = (float) Math.cos(theta);
                float sin = (float) Math.sin(theta);
                int a = c.ropeNeox() ? base + i : base + 2 * i;
                int b = c.ropeNeox() ? base + i + d / 2 : base + 2 * i + 1;
                float x0 = v[a];
                float x1 = v[b];
                v[a] = x0 * cos - x1 * sin;
                v[b] = x0 * sin + x1 * cos;
            }
        }
    }

    /** Causal grouped-query attention of one query position over the cache up to and including it. */
    private void attend(float[] q, KvCache cache, int layer, int pos, float[] out) {
        int d = c.headDim();
        int group = c.heads() / c.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(d));
        float[] scores = new float[pos + 1];
        for (int h = 0; h < c.heads(); h++) {
            int qOff = h * d;
            int kvOff = (h / group) * d;
            float max = Float.NEGATIVE_INFINITY;
            for (int t = 0; t <= pos; t++) {
                float[] key = cache.keys[layer][t];
                float s = 0;
                for (int i = 0; i < d; i++) {
                    s += q[qOff + i] * key[kvOff + i];
                }
                scores[t] = s * scale;
                max = Math.max(max, scores[t]);
            }
            float sum = 0;
            for (int t = 0; t <= pos; t++) {
                scores[t] = (float) Math.exp(scores[t] - max);
                sum += scores[t];
            }
            for (int i = 0; i < d; i++) {
                out[qOff + i] = 0;
            }
            for (int t = 0; t <= pos; t++) {
                float p = scores[t] / sum;
                float[] value = cache.values[layer][t];
                for (int i = 0; i < d; i++) {
                    out[qOff + i] += p * value[kvOff + i];
                }
            }
        }
    }

    @Override
    public void close() {
        matmul.close();
    }
}
