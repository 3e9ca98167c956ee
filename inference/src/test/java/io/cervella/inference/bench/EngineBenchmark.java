package io.cervella.inference.bench;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.gguf.GgufFile;
import io.cervella.inference.engine.model.KvCache;
import io.cervella.inference.engine.model.ModelConfig;
import io.cervella.inference.engine.model.Transformer;
import io.cervella.inference.engine.synth.ModelSynth;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prompt and generation tokens/s of our engine against llama.cpp (b4916 via de.kherud:llama) on the
 * same synthesised file, with the same thread count, in one run. Also the memory-bandwidth ceiling:
 * weight bytes per generated token over a measured copy bandwidth.
 * Run: scripts/bench-engine.sh [type] [threads]
 */
public final class EngineBenchmark {
    /** About 130 tokens of the synthesised vocabulary. */
    private static final String TEXT = ("La memoria della squadra è cifrata. The team keeps its decisions in plain files. ").repeat(6);

    public static void main(String[] args) throws Exception {
        GgmlType type = GgmlType.valueOf(args.length > 0 ? args[0].toUpperCase() : "Q8_0");
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        ModelSynth.Size size = ModelSynth.Size.valueOf(args.length > 2 ? args[2].toUpperCase() : "BENCH");
        int generate = 32;
        // llama.cpp b4916 loads qwen2 only with heads of embedding/heads wide; Qwen3-4B's are 128 for a
        // 2560 embedding, which its llama architecture allows: the same shape and work without the biases.
        ModelSynth.Arch arch = size == ModelSynth.Size.BENCH ? ModelSynth.Arch.QWEN2 : ModelSynth.Arch.LLAMA;
        Path file = Path.of(System.getProperty("java.io.tmpdir"), size == ModelSynth.Size.BENCH
                ? "cervella-bench-qwen2-" + type + ".gguf" : "cervella-bench-" + arch + "-" + size + "-" + type + ".gguf");
        if (!Files.exists(file)) {
            System.out.println("writing " + file + " ...");
            ModelSynth.write(new ModelSynth.Spec(arch, size, type, 1), file);
        }
        int rounds = size == ModelSynth.Size.BENCH ? 5 : 3;
        long weightBytes = Files.size(file);

        // Rounds of ours and llama.cpp alternating, medians reported: single runs vary by ±20% here.
        double[] oursPrompt = new double[rounds];
        double[] oursGen = new double[rounds];
        double[] theirPrompt = new double[rounds];
        double[] theirGen = new double[rounds];
        try (GgufFile g = GgufFile.open(file);
             LlamaModel ref = new LlamaModel(new ModelParameters().setModel(file.toString()).setGpuLayers(0)
                     .setThreads(threads).setCtxSize(1024))) {
            ModelConfig c = ModelConfig.from(g);
            int[] prompt = io.cervella.inference.engine.tokenizer.Tokenizer.fromGguf(g).encode(TEXT, false);
            int theirPromptTokens = ref.encode(TEXT).length;
            try (Transformer t = new Transformer(g, c, threads)) {
                warmUp(t, c);
                ref.complete(new InferenceParameters(TEXT).setNPredict(8).setTemperature(0f).setCachePrompt(false));
                for (int round = 0; round < rounds; round++) {
                    KvCache cache = new KvCache(c, 1024);
                    long t0 = System.nanoTime();
                    float[] logits = t.forward(prompt, cache);
                    oursPrompt[round] = prompt.length / ((System.nanoTime() - t0) / 1e9);
                    long t1 = System.nanoTime();
                    for (int i = 0; i < generate; i++) {
                        logits = t.forward(new int[] {argmax(logits)}, cache);
                    }
                    oursGen[round] = generate / ((System.nanoTime() - t1) / 1e9);

                    // llama.cpp prints its own timings to the console; here it is timed from outside: a
                    // 1-token answer is the prompt's time, the rest of a longer answer is generation.
                    long t2 = System.nanoTime();
                    ref.complete(new InferenceParameters(TEXT).setNPredict(1).setTemperature(0f).setCachePrompt(false));
                    double promptSeconds = (System.nanoTime() - t2) / 1e9;
                    long t3 = System.nanoTime();
                    ref.complete(new InferenceParameters(TEXT).setNPredict(1 + generate).setTemperature(0f)
                            .setCachePrompt(false).setIgnoreEos(true));
                    double totalSeconds = (System.nanoTime() - t3) / 1e9;
                    theirPrompt[round] = theirPromptTokens / promptSeconds;
                    theirGen[round] = generate / (totalSeconds - promptSeconds);
                }
            }
        }
        double[] theirs = {median(theirPrompt), median(theirGen)};
        double oursPromptRate = median(oursPrompt);
        double oursGenRate = median(oursGen);

        double bandwidth = copyBandwidth();
        System.out.printf("model: %s %s %s, %.0f MiB, %d threads, %s%n", arch, size, type, weightBytes / 1048576.0, threads,
                System.getProperty("java.version"));
        System.out.printf("| engine | prompt tokens/s | generated tokens/s |%n|---|---|---|%n");
        System.out.printf("| llama.cpp b4916 | %.1f | %.1f |%n", theirs[0], theirs[1]);
        System.out.printf("| Cervella | %.1f | %.1f |%n", oursPromptRate, oursGenRate);
        System.out.printf("| Cervella / llama.cpp | %.2f | %.2f |%n", oursPromptRate / theirs[0], oursGenRate / theirs[1]);
        System.out.printf("memory-bandwidth ceiling: %.1f GB/s copy → %.1f tokens/s at most for %.0f MiB of weights%n",
                bandwidth / 1e9, bandwidth / weightBytes, weightBytes / 1048576.0);
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c[c.length / 2];
    }

    private static void warmUp(Transformer t, ModelConfig c) {
        KvCache cache = new KvCache(c, 64);
        float[] logits = t.forward(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, cache);
        for (int i = 0; i < 8; i++) {
            logits = t.forward(new int[] {argmax(logits)}, cache);
        }
    }

    /** Bytes per second of a large array copy (read + write counted once, as a read stream of weights is). */
    private static double copyBandwidth() {
        byte[] a = new byte[512 << 20];
        byte[] b = new byte[512 << 20];
        java.util.Arrays.fill(a, (byte) 1);
        double best = 0;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            System.arraycopy(a, 0, b, 0, a.length);
            best = Math.max(best, a.length / ((System.nanoTime() - t0) / 1e9));
        }
        return best;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
