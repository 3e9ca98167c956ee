package io.cervella.memory.bench;

import io.cervella.memory.LabelledNotes;
import io.cervella.memory.chunk.Chunk;
import io.cervella.memory.embedding.EmbeddingModel;
import io.cervella.memory.embedding.InstructedEmbeddingModel;
import io.cervella.memory.embedding.OnnxEmbeddingModel;
import io.cervella.memory.index.ChunkIndex;
import io.cervella.memory.index.Hit;
import io.cervella.memory.index.IndexedChunk;
import io.cervella.memory.index.SearchMode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

/**
 * The choice of default model, measured: all-MiniLM-L6-v2 (the anchor) against
 * bge-small-en-v1.5 on the labelled notes the tests ship (nDCG@10 and recall@5, vector and hybrid) and
 * on throughput (chunks of ~450 characters per second, same threads, same batches).
 * Run: scripts/bench-models.sh [threads]   (fetches bge-small-en-v1.5's jar from Maven Central)
 */
public final class ModelChoiceBenchmark {
    private static final int CHUNKS = 128;
    private static final int ROUNDS = 3;

    public static void main(String[] args) throws Exception {
        Path bgeJar = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        Path dir = Files.createTempDirectory("model-choice");
        Path onnx = dir.resolve("bge.onnx");
        Path tokenizer = dir.resolve("bge-tokenizer.json");
        try (ZipFile jar = new ZipFile(bgeJar.toFile())) {
            try (InputStream m = jar.getInputStream(jar.getEntry("bge-small-en-v1.5.onnx"));
                 InputStream t = jar.getInputStream(jar.getEntry("bge-small-en-v1.5-tokenizer.json"))) {
                Files.copy(m, onnx);
                Files.copy(t, tokenizer);
            }
        }
        System.out.printf("%d notes, %d queries, %d threads%n", LabelledNotes.NOTES.size(), LabelledNotes.QUERIES.size(), threads);
        System.out.println("| model | dim | vector nDCG@10 | vector recall@5 | hybrid nDCG@10 | hybrid recall@5 | chunks/s |");
        System.out.println("|---|---|---|---|---|---|---|");
        try (EmbeddingModel minilm = OnnxEmbeddingModel.loadDefault(threads)) {
            row("all-MiniLM-L6-v2 (anchor)", minilm, dir.resolve("i1"));
        }
        // bge: CLS pooling, and its instruction before short queries, as its authors advise for retrieval
        try (EmbeddingModel bge = new InstructedEmbeddingModel(OnnxEmbeddingModel.load("bge-small-en-v1.5", onnx, tokenizer,
                OnnxEmbeddingModel.Pooling.CLS, 512, threads), "Represent this sentence for searching relevant passages: ", "")) {
            row("bge-small-en-v1.5", bge, dir.resolve("i2"));
        }
    }

    private static void row(String label, EmbeddingModel model, Path indexDir) {
        try (ChunkIndex index = new ChunkIndex(indexDir, model.dimension())) {
            for (Map.Entry<String, String> note : LabelledNotes.NOTES.entrySet()) {
                float[] v = model.embedDocuments(List.of(note.getValue()))[0];
                Chunk c = new Chunk(0, List.of("Note"), 0, note.getValue().length(), note.getValue());
                index.replaceDocument(note.getKey(), List.of(new IndexedChunk(note.getKey(), c, v, Map.of())));
            }
            double[] vector = quality(index, model, SearchMode.VECTOR);
            double[] hybrid = quality(index, model, SearchMode.HYBRID);
            System.out.printf("| %s | %d | %.3f | %.3f | %.3f | %.3f | %.1f |%n", label, model.dimension(), vector[0], vector[1],
                    hybrid[0], hybrid[1], throughput(model));
        }
    }

    /** {mean nDCG@10, recall@5} over the queries; one relevant note each. */
    private static double[] quality(ChunkIndex index, EmbeddingModel model, SearchMode mode) {
        double ndcg = 0;
        double recall = 0;
        for (Map.Entry<String, String> q : LabelledNotes.QUERIES.entrySet()) {
            List<Hit> hits = index.search(mode, q.getKey(), model.embedQuery(q.getKey()), List.of(), 10);
            for (int rank = 1; rank <= hits.size(); rank++) {
                if (hits.get(rank - 1).documentId().equals(q.getValue())) {
                    ndcg += 1 / (Math.log(1 + rank) / Math.log(2));
                    recall += rank <= 5 ? 1 : 0;
                    break;
                }
            }
        }
        int n = LabelledNotes.QUERIES.size();
        return new double[] {ndcg / n, recall / n};
    }

    private static double throughput(EmbeddingModel model) {
        String base = "The team keeps its decisions in Markdown notes; backups run every night to two regions and "
                + "restores are tested weekly, while the GPU server answers within two seconds. Le note in italiano "
                + "restano accanto a quelle in inglese. ";
        List<String> chunks = new ArrayList<>();
        for (int i = 0; i < CHUNKS; i++) {
            chunks.add("Note " + i + ": " + base.substring(i % 40) + base.substring(0, 60 + i % 60));
        }
        model.embedDocuments(chunks.subList(0, 32)); // warm-up
        double[] rates = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            model.embedDocuments(chunks);
            rates[r] = CHUNKS / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(rates);
        return rates[ROUNDS / 2];
    }
}
