package io.cervella.inference.engine.synth;

import io.cervella.inference.engine.gguf.Dequantizer;
import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.gguf.GgufWriter;
import io.cervella.inference.engine.gguf.Quantizer;
import io.cervella.inference.engine.tokenizer.BpeTrainer;
import io.cervella.inference.engine.tokenizer.PreTokenizer;
import io.cervella.inference.engine.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code cervella model synth}: a small but complete GGUF model with random weights, a byte-level BPE
 * vocabulary learned from a shipped text, special tokens and a ChatML chat template with Qwen3's
 * thinking switch. For tests and for smoke tests of a deployment, without downloading gigabytes.
 */
public final class ModelSynth {
    public enum Arch { QWEN3, QWEN2, LLAMA }

    /** Shapes; every row length is a multiple of 256 so that all supported types (K-quants too) apply. */
    public enum Size {
        TINY(256, 2, 4, 2, 64, 512, 2048, 600, 0),
        SMALL(512, 4, 8, 2, 64, 1536, 4096, 2000, 0),
        /** About 0.43 billion parameters: a Qwen2-0.5B-sized body, for benchmarks. */
        BENCH(1280, 24, 20, 4, 64, 3584, 4096, 2000, 0),
        /**
         * The shape of Qwen3-4B (36 layers, 2560 wide, 32 query and 8 KV heads of 128, feed-forward 9728,
         * a vocabulary padded to its 151,936 entries): the real model's bytes per token and arithmetic,
         * to measure speed at the size the team runs without downloading it. About 2.3 GB at Q4_K.
         */
        QWEN3_4B(2560, 36, 32, 8, 128, 9728, 40960, 2000, 151_936);

        final int embedding;
        final int layers;
        final int heads;
        final int kvHeads;
        final int headDim;
        final int feedForward;
        final int context;
        final int merges;
        /** The vocabulary is padded to this many entries with tokens no text produces (0: as learned). */
        final int paddedVocabulary;

        Size(int embedding, int layers, int heads, int kvHeads, int headDim, int feedForward, int context, int merges,
             int paddedVocabulary) {
            this.embedding = embedding;
            this.layers = layers;
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.headDim = headDim;
            this.feedForward = feedForward;
            this.context = context;
            this.merges = merges;
            this.paddedVocabulary = paddedVocabulary;
        }
    }

    public record Spec(Arch arch, Size size, GgmlType type, long seed) {
        public Spec {
            if (!type.supported()) {
                throw new IllegalArgumentException(type + " is not supported");
            }
        }
    }

    /** Special tokens, after the learned vocabulary: control tokens, then user-defined ones. */
    static final String[] CONTROL = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
    static final String[] USER_DEFINED = {"<think>", "</think>", "<tool_call>", "</tool_call>", "<tool_response>",
        "</tool_response>"};

    /**
     * ChatML, tool calls and tool turns as Qwen3 renders them, and the thinking switch (off: an empty
     * think block). A message without text content (an assistant turn that only calls tools) renders as
     * empty text: template engines probe templates with such turns (llama.cpp's minja does) to learn
     * whether the template handles tools itself.
     */
    public static final String CHAT_TEMPLATE = """
            {%- for message in messages -%}
            {%- set content = message.content if message.content is string else '' -%}
            {%- if message.role == 'tool' -%}
            {{- '<|im_start|>user\\n<tool_response>\\n' + content + '\\n</tool_response><|im_end|>\\n' -}}
            {%- else -%}
            {{- '<|im_start|>' + message.role + '\\n' + content -}}
            {%- if message.role == 'assistant' and message.tool_calls -%}
            {%- for call in message.tool_calls -%}
            {%- if content or not loop.first -%}{{- '\\n' -}}{%- endif -%}
            {%- set f = call.function if call.function is defined else call -%}
            {%- set arguments = f.arguments if f.arguments is string else f.arguments | tojson -%}
            {{- '<tool_call>\\n{"name": "' + f.name + '", "arguments": ' + arguments + '}\\n</tool_call>' -}}
            {%- endfor -%}
            {%- endif -%}
            {{- '<|im_end|>\\n' -}}
            {%- endif -%}
            {%- endfor -%}
            {%- if add_generation_prompt -%}
            {{- '<|im_start|>assistant\\n' -}}
            {%- if enable_thinking is defined and enable_thinking is false -%}
            {{- '<think>\\n\\n</think>\\n\\n' -}}
            {%- endif -%}
            {%- endif -%}
            """;

    private ModelSynth() {}

    public static void write(Spec spec, Path out) throws IOException {
        write(spec, out, false);
    }

    /**
     * The model {@link #write} makes for {@code spec}, with every matrix stored as the F32 values its
     * quantized form decodes to: the same weights, without quantized arithmetic. An engine that rounds
     * activations for quantized products (llama.cpp does) computes in plain float on this copy, which
     * is how tests tell that rounding apart from errors.
     */
    public static void writeDecoded(Spec spec, Path out) throws IOException {
        write(spec, out, true);
    }

    private static void write(Spec spec, Path out, boolean decoded) throws IOException {
        Size s = spec.size();
        String arch = spec.arch().name().toLowerCase(Locale.ROOT);
        PreTokenizer pre = spec.arch() == Arch.LLAMA ? PreTokenizer.LLAMA_BPE : PreTokenizer.QWEN2;
        BpeTrainer.Vocabulary vocab = BpeTrainer.train(corpus(), pre, s.merges);
        List<String> tokens = new ArrayList<>(vocab.tokens());
        List<Integer> types = new ArrayList<>();
        tokens.forEach(t -> types.add(Tokenizer.TYPE_NORMAL));
        int firstSpecial = tokens.size();
        for (String c : CONTROL) {
            tokens.add(c);
            types.add(Tokenizer.TYPE_CONTROL);
        }
        for (String u : USER_DEFINED) {
            tokens.add(u);
            types.add(Tokenizer.TYPE_USER_DEFINED);
        }
        for (int i = 0; tokens.size() < s.paddedVocabulary; i++) {
            tokens.add("[unused" + i + "]"); // no merge makes it: the rows exist only to be read
            types.add(Tokenizer.TYPE_NORMAL);
        }
        int vocabSize = tokens.size();

        GgufWriter w = new GgufWriter()
                .putString("general.architecture", arch)
                .putString("general.name", "cervella-synth-" + arch + "-" + s.name().toLowerCase(Locale.ROOT))
                .putU32("general.alignment", 32)
                .putU32(arch + ".context_length", s.context)
                .putU32(arch + ".embedding_length", s.embedding)
                .putU32(arch + ".block_count", s.layers)
                .putU32(arch + ".feed_forward_length", s.feedForward)
                .putU32(arch + ".attention.head_count", s.heads)
                .putU32(arch + ".attention.head_count_kv", s.kvHeads)
                .putU32(arch + ".attention.key_length", s.headDim)
                .putU32(arch + ".attention.value_length", s.headDim)
                .putF32(arch + ".attention.layer_norm_rms_epsilon", 1e-6f)
                .putF32(arch + ".rope.freq_base", spec.arch() == Arch.LLAMA ? 500_000f : 1_000_000f)
                .putU32(arch + ".vocab_size", vocabSize)
                .putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", pre.ggufName)
                .putStrings("tokenizer.ggml.tokens", tokens.toArray(String[]::new))
                .putI32s("tokenizer.ggml.token_type", types.stream().mapToInt(Integer::intValue).toArray())
                .putStrings("tokenizer.ggml.merges", vocab.merges().toArray(String[]::new))
                .putU32("tokenizer.ggml.bos_token_id", firstSpecial)       // <|endoftext|>
                .putU32("tokenizer.ggml.eos_token_id", firstSpecial + 2)   // <|im_end|>
                .putU32("tokenizer.ggml.padding_token_id", firstSpecial)
                .putBool("tokenizer.ggml.add_bos_token", spec.arch() == Arch.LLAMA)
                .putString("tokenizer.chat_template", CHAT_TEMPLATE);

        SplittableRandom random = new SplittableRandom(spec.seed());
        GgmlType t = spec.type();
        MatrixWriter matrix = (name, rowLength, rows) -> matrix(w, name, rowLength, rows, t, decoded, random);
        int qDim = s.heads * s.headDim;
        int kvDim = s.kvHeads * s.headDim;
        matrix.add("token_embd.weight", s.embedding, vocabSize);
        for (int i = 0; i < s.layers; i++) {
            String p = "blk." + i + ".";
            norm(w, p + "attn_norm.weight", s.embedding, random);
            matrix.add(p + "attn_q.weight", s.embedding, qDim);
            matrix.add(p + "attn_k.weight", s.embedding, kvDim);
            matrix.add(p + "attn_v.weight", s.embedding, kvDim);
            if (spec.arch() == Arch.QWEN2) {
                vector(w, p + "attn_q.bias", qDim, 0.1, random);
                vector(w, p + "attn_k.bias", kvDim, 0.1, random);
                vector(w, p + "attn_v.bias", kvDim, 0.1, random);
            }
            if (spec.arch() == Arch.QWEN3) {
                norm(w, p + "attn_q_norm.weight", s.headDim, random);
                norm(w, p + "attn_k_norm.weight", s.headDim, random);
            }
            matrix.add(p + "attn_output.weight", qDim, s.embedding);
            norm(w, p + "ffn_norm.weight", s.embedding, random);
            matrix.add(p + "ffn_gate.weight", s.embedding, s.feedForward);
            matrix.add(p + "ffn_up.weight", s.embedding, s.feedForward);
            matrix.add(p + "ffn_down.weight", s.feedForward, s.embedding);
        }
        norm(w, "output_norm.weight", s.embedding, random);
        if (spec.arch() != Arch.QWEN3) { // Qwen3's small models tie the output to the token embeddings
            matrix.add("output.weight", s.embedding, vocabSize);
        }
        w.write(out);
    }

    private interface MatrixWriter {
        void add(String name, int rowLength, int rows);
    }

    /**
     * A weight matrix of {@code rows} rows of {@code rowLength}, scaled like a trained model's
     * (1/sqrt(fan-in)); with {@code decoded}, stored as the F32 values of its quantized form.
     */
    private static void matrix(GgufWriter w, String name, int rowLength, int rows, GgmlType type, boolean decoded,
                               SplittableRandom r) {
        float[] x = new float[rowLength * rows];
        double std = 1.0 / Math.sqrt(rowLength);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (gaussian(r) * std);
        }
        byte[] bytes = Quantizer.quantize(type, x);
        if (decoded) {
            Dequantizer.dequantize(type, java.lang.foreign.MemorySegment.ofArray(bytes), 0, x, 0, x.length);
            w.addTensor(name, new long[] {rowLength, rows}, GgmlType.F32, Quantizer.quantize(GgmlType.F32, x));
        } else {
            w.addTensor(name, new long[] {rowLength, rows}, type, bytes);
        }
    }

    /** Norm weights stay F32, as converters keep them; around 1 so that activations neither vanish nor explode. */
    private static void norm(GgufWriter w, String name, int n, SplittableRandom r) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (1.0 + 0.1 * gaussian(r));
        }
        w.addTensor(name, new long[] {n}, GgmlType.F32, Quantizer.quantize(GgmlType.F32, x));
    }

    private static void vector(GgufWriter w, String name, int n, double std, SplittableRandom r) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (std * gaussian(r));
        }
        w.addTensor(name, new long[] {n}, GgmlType.F32, Quantizer.quantize(GgmlType.F32, x));
    }

    /** Box-Muller: SplittableRandom has no nextGaussian of its own that is stable across JDKs. */
    private static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    static String corpus() {
        try (InputStream in = ModelSynth.class.getResourceAsStream("corpus.txt")) {
            if (in == null) {
                throw new IllegalStateException("corpus.txt is missing from the inference jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
