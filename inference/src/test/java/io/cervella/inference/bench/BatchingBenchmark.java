package io.cervella.inference.bench;

import io.cervella.inference.engine.Engine;
import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.sampling.SamplingParams;
import io.cervella.inference.engine.synth.ModelSynth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Continuous batching: generated tokens per second of N requests at once against one request alone,
 * on the same engine and file (the anchor is our own single stream). Each request has its own short
 * prompt and generates up to 48 tokens with a fixed seed; rounds alternate, medians reported.
 * Run: scripts/bench-batching.sh [type] [threads] [concurrent]
 */
public final class BatchingBenchmark {
    private static final int ROUNDS = 5;
    private static final int TOKENS = 48;

    public static void main(String[] args) throws Exception {
        GgmlType type = GgmlType.valueOf(args.length > 0 ? args[0].toUpperCase() : "Q4_0");
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int concurrent = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "cervella-bench-qwen2-" + type + ".gguf");
        if (!Files.exists(file)) {
            System.out.println("writing " + file + " ...");
            ModelSynth.write(new ModelSynth.Spec(ModelSynth.Arch.QWEN2, ModelSynth.Size.BENCH, type, 1), file);
        }
        double[] alone = new double[ROUNDS];
        double[] together = new double[ROUNDS];
        try (Engine engine = new Engine(file, threads, 1024, concurrent)) {
            run(engine, 1, 0); // warm-up
            run(engine, concurrent, 0);
            for (int round = 0; round < ROUNDS; round++) {
                alone[round] = run(engine, 1, round + 1);
                together[round] = run(engine, concurrent, round + 1);
            }
            System.out.printf("model: qwen2 %s, %d threads, %s; passes %s%n", type, threads, System.getProperty("java.version"),
                    engine.passCounts());
        }
        double a = median(alone);
        double t = median(together);
        System.out.printf("| requests at once | generated tokens/s (all requests) |%n|---|---|%n");
        System.out.printf("| 1 | %.1f |%n| %d | %.1f |%n", a, concurrent, t);
        System.out.printf("| %d at once / 1 alone | %.2f |%n", concurrent, t / a);
    }

    /** Generated tokens per second over all requests, from the first request's start to the last one's end. */
    private static double run(Engine engine, int requests, int round) throws Exception {
        long start = System.nanoTime();
        int tokens = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Engine.Result>> results = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                String prompt = "Richiesta " + i + " del giro " + round + ": la squadra chiede lo stato.";
                SamplingParams sampling = new SamplingParams(0.8, 0.95, 40, 0.0, 1.0, 0.0, 0.0, 1000L + i);
                results.add(pool.submit(() -> engine.generate(prompt, sampling, TOKENS, List.of(), piece -> {})));
            }
            for (Future<Engine.Result> r : results) {
                tokens += r.get().completionTokens();
            }
        }
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
