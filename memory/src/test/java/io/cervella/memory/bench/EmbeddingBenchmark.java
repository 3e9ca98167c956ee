package io.cervella.memory.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.cervella.memory.embedding.OnnxEmbeddingModel;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Embedding throughput (chunks/s) of {@link OnnxEmbeddingModel} against the raw ONNX model called
 * directly on the same, already tokenized batches (same file, same runtime options, same threads):
 * the difference is what our tokenizer, tensor building and pooling cost. Alternating rounds, medians.
 * Run: scripts/bench-embeddings.sh [threads]
 */
public final class EmbeddingBenchmark {
    private static final int CHUNKS = 256;
    private static final int BATCH = 32;
    private static final int ROUNDS = 5;

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        List<String> chunks = new ArrayList<>();
        String base = "The team keeps its decisions in Markdown notes; backups run every night to two regions and "
                + "restores are tested weekly, while the GPU server answers within two seconds. ";
        for (int i = 0; i < CHUNKS; i++) {
            chunks.add("Note " + i + ": " + base.substring(i % 40) + base.substring(0, i % 60));
        }
        try (OnnxEmbeddingModel model = OnnxEmbeddingModel.loadDefault(threads);
             InputStream in = OnnxEmbeddingModel.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession raw = env.createSession(in.readAllBytes(), options)) {
                List<Map<String, OnnxTensor>> inputs = new ArrayList<>();
                for (int from = 0; from < CHUNKS; from += BATCH) {
                    inputs.add(tensors(env, model, chunks.subList(from, from + BATCH)));
                }
                double[] ours = new double[ROUNDS];
                double[] direct = new double[ROUNDS];
                runOurs(model, chunks);
                runRaw(raw, inputs);
                for (int r = 0; r < ROUNDS; r++) {
                    ours[r] = runOurs(model, chunks);
                    direct[r] = runRaw(raw, inputs);
                }
                double o = median(ours);
                double d = median(direct);
                System.out.printf("all-MiniLM-L6-v2, %d chunks of ~%d characters, batches of %d, %d threads%n", CHUNKS,
                        chunks.stream().mapToInt(String::length).sum() / CHUNKS, BATCH, threads);
                System.out.printf("| path | chunks/s |%n|---|---|%n| raw ONNX session (tokenized beforehand) | %.1f |%n", d);
                System.out.printf("| OnnxEmbeddingModel.embed (tokenize, run, pool) | %.1f |%n", o);
                System.out.printf("| overhead | %.1f%% |%n", (d / o - 1) * 100);
            }
        }
    }

    private static Map<String, OnnxTensor> tensors(OrtEnvironment env, OnnxEmbeddingModel model, List<String> texts) throws Exception {
        int[][] ids = texts.stream().map(t -> model.tokenizer().encode(t)).toArray(int[][]::new);
        int longest = Arrays.stream(ids).mapToInt(a -> a.length).max().orElse(0);
        long[] idData = new long[ids.length * longest];
        long[] mask = new long[ids.length * longest];
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < ids[i].length; j++) {
                idData[i * longest + j] = ids[i][j];
                mask[i * longest + j] = 1;
            }
        }
        long[] shape = {ids.length, longest};
        return Map.of("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(idData), shape),
                "attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape),
                "token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[idData.length]), shape));
    }

    private static double runOurs(OnnxEmbeddingModel model, List<String> chunks) {
        long t0 = System.nanoTime();
        for (int from = 0; from < chunks.size(); from += BATCH) {
            model.embed(chunks.subList(from, from + BATCH), null);
        }
        return chunks.size() / ((System.nanoTime() - t0) / 1e9);
    }

    private static double runRaw(OrtSession raw, List<Map<String, OnnxTensor>> inputs) throws Exception {
        long t0 = System.nanoTime();
        for (Map<String, OnnxTensor> in : inputs) {
            try (OrtSession.Result r = raw.run(in)) {
                r.get(0).getValue();
            }
        }
        return inputs.size() * BATCH / ((System.nanoTime() - t0) / 1e9);
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
