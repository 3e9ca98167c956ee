package io.cervella.memory.bench;

import io.cervella.memory.chunk.Chunk;
import io.cervella.memory.index.ChunkIndex;
import io.cervella.memory.index.Hit;
import io.cervella.memory.index.IndexedChunk;
import io.cervella.memory.index.SearchMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Vector search over N vectors of 384 dimensions (all-MiniLM-L6-v2's) in {@link ChunkIndex}, for each
 * vector storage: recall@10 against exact search (every dot product, the anchor, same run) and the
 * latency of a search through the index's API, single-threaded, p50 and p99 over the queries. The
 * vectors are synthetic but shaped like embeddings: unit vectors scattered around 2,000 topic centres
 * (random unit vectors would be the worst case of any graph index, and no text corpus is like that).
 * Run: scripts/bench-search.sh [vectors] [queries]. With a folder first ({@code real DIR vectors queries}) the
 * vectors are real all-MiniLM-L6-v2 embeddings of the text files under it (chunked as the memory chunks),
 * and the queries other chunks of it that are not in the index ({@link RealTextVectors}); a fifth argument
 * {@code sweep} compares the graph settings docs/benchmarks.md lists.
 */
public final class VectorSearchBenchmark {
    private static final int DIM = 384;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("real")) {
            int n = Integer.parseInt(args[2]);
            int queries = Integer.parseInt(args[3]);
            float[][] all = RealTextVectors.load(Path.of(args[1]), n + queries);
            System.out.printf("real all-MiniLM-L6-v2 embeddings of the text under %s%n", args[1]);
            // "sweep": the settings docs/benchmarks.md compares; otherwise the platform's own
            List<ChunkIndex.GraphSettings> settings = args.length > 4 && args[4].equals("sweep") ? List.of(
                    new ChunkIndex.GraphSettings(100, 16, 100, false), new ChunkIndex.GraphSettings(200, 16, 100, false),
                    new ChunkIndex.GraphSettings(400, 16, 100, false), new ChunkIndex.GraphSettings(200, 32, 200, false),
                    new ChunkIndex.GraphSettings(400, 32, 200, false), ChunkIndex.GraphSettings.DEFAULT)
                    : List.of(ChunkIndex.GraphSettings.DEFAULT);
            for (ChunkIndex.GraphSettings graph : settings) {
                System.out.println(graph);
                run(Arrays.copyOfRange(all, 0, n), Arrays.copyOfRange(all, n, n + queries), graph);
            }
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        Random r = new Random(42);
        float[][] centres = new float[2000][];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = unit(gaussian(r, 1.0));
        }
        float[][] vectors = new float[n][];
        for (int i = 0; i < n; i++) {
            vectors[i] = around(centres[r.nextInt(centres.length)], r);
        }
        float[][] qs = new float[queries][];
        for (int i = 0; i < queries; i++) {
            qs[i] = around(centres[r.nextInt(centres.length)], r);
        }
        System.out.println("synthetic vectors around 2,000 topic centres");
        run(vectors, qs, ChunkIndex.GraphSettings.DEFAULT);
    }

    private static void run(float[][] vectors, float[][] qs, ChunkIndex.GraphSettings graph) throws Exception {
        int n = vectors.length;
        int queries = qs.length;
        int[][] exact = new int[queries][];
        long t0 = System.nanoTime();
        for (int i = 0; i < queries; i++) {
            exact[i] = exactTop10(vectors, qs[i]);
        }
        double exactMs = (System.nanoTime() - t0) / 1e6 / queries;
        System.out.printf("%d vectors of %d dimensions, %d queries; exact search %.1f ms a query (one thread)%n", n, DIM,
                queries, exactMs);
        System.out.println("| storage | recall@10 | recall@10, ties counted | p50 (ms) | p99 (ms) | build + merge (s) |");
        System.out.println("|---|---|---|---|---|---|");
        for (ChunkIndex.VectorStorage storage : ChunkIndex.VectorStorage.values()) {
            Path dir = Files.createTempDirectory("cervella-search-bench");
            try (ChunkIndex index = new ChunkIndex(dir, DIM, storage, graph)) {
                long b0 = System.nanoTime();
                Map<String, List<IndexedChunk>> batch = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    String id = Integer.toString(i);
                    batch.put(id, List.of(new IndexedChunk(id, new Chunk(0, List.of(), 0, 1, "c"), vectors[i], Map.of())));
                    if (batch.size() == 10_000 || i == n - 1) {
                        index.replaceDocuments(batch);
                        batch.clear();
                    }
                }
                index.forceMerge();
                double buildSeconds = (System.nanoTime() - b0) / 1e9;
                for (int i = 0; i < Math.min(200, queries); i++) { // warm-up
                    index.search(SearchMode.VECTOR, null, qs[i], List.of(), 10);
                }
                double[] latency = new double[queries];
                double recall = 0;
                double recallTies = 0;
                for (int i = 0; i < queries; i++) {
                    long s0 = System.nanoTime();
                    List<Hit> hits = index.search(SearchMode.VECTOR, null, qs[i], List.of(), 10);
                    latency[i] = (System.nanoTime() - s0) / 1e6;
                    Set<Integer> truth = new HashSet<>();
                    for (int e : exact[i]) {
                        truth.add(e);
                    }
                    recall += hits.stream().filter(h -> truth.contains(Integer.parseInt(h.documentId()))).count() / 10.0;
                    // as ann-benchmarks counts: a hit at least as close as the exact tenth is right (real text
                    // holds near-duplicate chunks, whose order among equals is arbitrary)
                    float tenth = dot(vectors[exact[i][9]], qs[i]) - 1e-5f;
                    float[] q = qs[i];
                    recallTies += hits.stream().filter(h -> dot(vectors[Integer.parseInt(h.documentId())], q) >= tenth).count() / 10.0;
                }
                Arrays.sort(latency);
                System.out.printf("| %s | %.3f | %.3f | %.2f | %.2f | %.0f |%n", storage, recall / queries, recallTies / queries,
                        latency[queries / 2], latency[(int) Math.ceil(queries * 0.99) - 1], buildSeconds);
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** A point near a centre: the centre plus noise a little larger than it, on the unit sphere. */
    private static float[] around(float[] centre, Random r) {
        float[] noise = gaussian(r, 1.2 / Math.sqrt(DIM));
        float[] v = new float[DIM];
        for (int k = 0; k < DIM; k++) {
            v[k] = centre[k] + noise[k];
        }
        return unit(v);
    }

    private static float[] gaussian(Random r, double std) {
        float[] v = new float[DIM];
        for (int k = 0; k < DIM; k++) {
            v[k] = (float) (r.nextGaussian() * std);
        }
        return v;
    }

    private static float[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int k = 0; k < v.length; k++) {
            v[k] *= inv;
        }
        return v;
    }

    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }

    private static int[] exactTop10(float[][] vectors, float[] q) {
        int[] best = new int[10];
        float[] scores = new float[10];
        Arrays.fill(scores, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < vectors.length; i++) {
            float s = 0;
            float[] v = vectors[i];
            for (int k = 0; k < DIM; k++) {
                s += v[k] * q[k];
            }
            if (s > scores[9]) {
                int at = 9;
                while (at > 0 && scores[at - 1] < s) {
                    scores[at] = scores[at - 1];
                    best[at] = best[at - 1];
                    at--;
                }
                scores[at] = s;
                best[at] = i;
            }
        }
        return best;
    }
}
