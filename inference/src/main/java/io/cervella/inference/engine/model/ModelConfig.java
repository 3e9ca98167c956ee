package io.cervella.inference.engine.model;

import io.cervella.inference.engine.gguf.GgufException;
import io.cervella.inference.engine.gguf.GgufFile;

/**
 * The shape of a transformer, read from a GGUF file's {@code ARCH.*} metadata.
 *
 * @param ropeNeox true for Qwen's rotation of pairs (i, i + d/2); false for Llama's adjacent pairs (2i, 2i+1)
 */
public record ModelConfig(String arch, int embedding, int layers, int heads, int kvHeads, int headDim, int feedForward,
                          int context, float rmsEpsilon, float ropeTheta, boolean ropeNeox, boolean qkvBias,
                          boolean qkNorm, int vocabulary) {
    public static ModelConfig from(GgufFile g) {
        String arch = g.architecture();
        boolean qwen3 = arch.equals("qwen3");
        boolean qwen2 = arch.equals("qwen2");
        if (!qwen3 && !qwen2 && !arch.equals("llama")) {
            throw new GgufException(g.path() + ": architecture '" + arch + "' is not supported (qwen3, qwen2 and llama are)");
        }
        int embedding = (int) g.integer(arch + ".embedding_length");
        int heads = (int) g.integer(arch + ".attention.head_count");
        int kvHeads = (int) g.integer(arch + ".attention.head_count_kv", heads);
        int headDim = (int) g.integer(arch + ".attention.key_length", embedding / heads);
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new GgufException(g.path() + ": " + heads + " attention heads cannot share " + kvHeads + " key/value heads");
        }
        int vocabulary = (int) g.tensor("token_embd.weight").rows();
        return new ModelConfig(arch, embedding, (int) g.integer(arch + ".block_count"), heads, kvHeads, headDim,
                (int) g.integer(arch + ".feed_forward_length"), (int) g.integer(arch + ".context_length", 4096),
                g.real(arch + ".attention.layer_norm_rms_epsilon", 1e-6f), g.real(arch + ".rope.freq_base", 10_000f),
                !arch.equals("llama"), qwen2, qwen3, vocabulary);
    }

    public int qDim() { return heads * headDim; }
    public int kvDim() { return kvHeads * headDim; }
}
