package io.cervella.inference.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.inference.engine.gguf.Dequantizer;
import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.gguf.GgufFile;
import io.cervella.inference.engine.synth.ModelSynth;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine against a plain float64 transformer written here, straight from the definitions, for
 * every architecture. llama.cpp b4916 cannot load qwen3, so this is where Qwen3's additions (per-head
 * RMSNorm of Q and K, tied output) are checked; qwen2's biases and llama's rotation are checked too.
 */
class Float64ReferenceTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(ModelSynth.Arch.class)
    void logitsMatchAFloat64Reference(ModelSynth.Arch arch) throws Exception {
        Path file = dir.resolve(arch + ".gguf");
        ModelSynth.write(new ModelSynth.Spec(arch, ModelSynth.Size.TINY, GgmlType.F32, 11), file);
        int[] tokens = {5, 77, 300, 12, 401, 9, 250};
        try (GgufFile g = GgufFile.open(file)) {
            ModelConfig c = ModelConfig.from(g);
            double[][] expected = new Reference(g, c).run(tokens);
            try (Transformer t = new Transformer(g, c, 2)) {
                KvCache cache = new KvCache(c, 64);
                // the prompt in one batch, then the last tokens one at a time: both paths are checked
                float[] batched = t.forward(java.util.Arrays.copyOf(tokens, 4), cache);
                assertClose(batched, expected[3]);
                for (int i = 4; i < tokens.length; i++) {
                    float[] logits = t.forward(new int[] {tokens[i]}, cache);
                    assertClose(logits, expected[i]);
                }
            }
        }
    }

    private static void assertClose(float[] actual, double[] expected) {
        double err = 0;
        double ref = 0;
        for (int i = 0; i < actual.length; i++) {
            err = Math.max(err, Math.abs(actual[i] - expected[i]));
            ref = Math.max(ref, Math.abs(expected[i]));
        }
        assertThat(err / ref).isLessThan(1e-4);
    }

    /** A transformer in doubles, one position at a time, with no code shared with the engine. */
    private static final class Reference {
        final GgufFile g;
        final ModelConfig c;

        Reference(GgufFile g, ModelConfig c) {
            this.g = g;
            this.c = c;
        }

        double[] w(String name) {
            float[] f = Dequantizer.dequantize(g.tensor(name));
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }

        /** y = W x, W stored as rows of length x.length. */
        static double[] mul(double[] w, double[] x) {
            int rows = w.length / x.length;
            double[] y = new double[rows];
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int i = 0; i < x.length; i++) {
                    s += w[r * x.length + i] * x[i];
                }
                y[r] = s;
            }
            return y;
        }

        double[] norm(double[] x, int off, int len, double[] weight) {
            double ss = 0;
            for (int i = 0; i < len; i++) {
                ss += x[off + i] * x[off + i];
            }
            double inv = 1 / Math.sqrt(ss / len + c.rmsEpsilon());
            double[] out = x.clone();
            for (int i = 0; i < len; i++) {
                out[off + i] = x[off + i] * inv * weight[i];
            }
            return out;
        }

        void rotate(double[] v, int heads, int pos) {
            int d = c.headDim();
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < d / 2; i++) {
                    double angle = pos / Math.pow(c.ropeTheta(), 2.0 * i / d);
                    int a = c.ropeNeox() ? h * d + i : h * d + 2 * i;
                    int b = c.ropeNeox() ? h * d + i + d / 2 : h * d + 2 * i + 1;
                    double x0 = v[a];
                    double x1 = v[b];
                    v[a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
                    v[b] = x0 * Math.sin(angle) + x1 * Math.cos(angle);
                }
            }
        }

        double[][] run(int[] tokens) {
            int e = c.embedding();
            double[] emb = w("token_embd.weight");
            double[] out = g.tensors().containsKey("output.weight") ? w("output.weight") : emb;
            double[][][] keys = new double[c.layers()][tokens.length][];
            double[][][] values = new double[c.layers()][tokens.length][];
            double[][] logits = new double[tokens.length][];
            for (int pos = 0; pos < tokens.length; pos++) {
                double[] x = java.util.Arrays.copyOfRange(emb, tokens[pos] * e, tokens[pos] * e + e);
                for (int l = 0; l < c.layers(); l++) {
                    String p = "blk." + l + ".";
                    double[] xn = norm(x, 0, e, w(p + "attn_norm.weight"));
                    double[] q = mul(w(p + "attn_q.weight"), xn);
                    double[] k = mul(w(p + "attn_k.weight"), xn);
                    double[] v = mul(w(p + "attn_v.weight"), xn);
                    if (c.qkvBias()) {
                        double[] bq = w(p + "attn_q.bias"), bk = w(p + "attn_k.bias"), bv = w(p + "attn_v.bias");
                        for (int i = 0; i < q.length; i++) q[i] += bq[i];
                        for (int i = 0; i < k.length; i++) { k[i] += bk[i]; v[i] += bv[i]; }
                    }
                    if (c.qkNorm()) {
                        for (int h = 0; h < c.heads(); h++) q = norm(q, h * c.headDim(), c.headDim(), w(p + "attn_q_norm.weight"));
                        for (int h = 0; h < c.kvHeads(); h++) k = norm(k, h * c.headDim(), c.headDim(), w(p + "attn_k_norm.weight"));
                    }
                    rotate(q, c.heads(), pos);
                    rotate(k, c.kvHeads(), pos);
                    keys[l][pos] = k;
                    values[l][pos] = v;
                    double[] att = new double[c.qDim()];
                    int d = c.headDim();
                    for (int h = 0; h < c.heads(); h++) {
                        int kv = h / (c.heads() / c.kvHeads());
                        double[] s = new double[pos + 1];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int t = 0; t <= pos; t++) {
                            for (int i = 0; i < d; i++) s[t] += q[h * d + i] * keys[l][t][kv * d + i];
                            s[t] /= Math.sqrt(d);
                            max = Math.max(max, s[t]);
                        }
                        double sum = 0;
                        for (int t = 0; t <= pos; t++) { s[t] = Math.exp(s[t] - max); sum += s[t]; }
                        for (int t = 0; t <= pos; t++) {
                            for (int i = 0; i < d; i++) att[h * d + i] += s[t] / sum * values[l][t][kv * d + i];
                        }
                    }
                    double[] o = mul(w(p + "attn_output.weight"), att);
                    for (int i = 0; i < e; i++) x[i] += o[i];
                    double[] xf = norm(x, 0, e, w(p + "ffn_norm.weight"));
                    double[] gate = mul(w(p + "ffn_gate.weight"), xf);
                    double[] up = mul(w(p + "ffn_up.weight"), xf);
                    for (int i = 0; i < gate.length; i++) gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                    double[] down = mul(w(p + "ffn_down.weight"), gate);
                    for (int i = 0; i < e; i++) x[i] += down[i];
                }
                logits[pos] = mul(out, norm(x, 0, e, w("output_norm.weight")));
            }
            return logits;
        }
    }
}
