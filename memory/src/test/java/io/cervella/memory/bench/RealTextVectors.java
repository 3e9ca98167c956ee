package io.cervella.memory.bench;

import io.cervella.memory.chunk.Chunk;
import io.cervella.memory.chunk.MarkdownChunker;
import io.cervella.memory.embedding.OnnxEmbeddingModel;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Real embeddings for the search benchmark: the text files under a folder (Markdown, text, READMEs and
 * gzipped changelogs, as /usr/share/doc holds them) cut by the memory's chunker, duplicates dropped,
 * embedded by the default model. Embedding takes minutes, so the vectors are kept in
 * memory/target/bench-vectors-N.bin for the next run.
 */
final class RealTextVectors {
    private RealTextVectors() {}

    static float[][] load(Path folder, int count) throws IOException {
        Path cache = Path.of("memory/target/bench-vectors-" + count + ".bin");
        if (Files.exists(cache)) {
            return read(cache, count);
        }
        List<String> chunks = chunks(folder, count);
        if (chunks.size() < count) {
            throw new IllegalArgumentException(folder + " holds only " + chunks.size() + " distinct chunks; " + count + " wanted");
        }
        float[][] vectors = new float[count][];
        try (OnnxEmbeddingModel model = OnnxEmbeddingModel.loadDefault(Runtime.getRuntime().availableProcessors())) {
            long t0 = System.nanoTime();
            for (int from = 0; from < count; from += 1024) {
                int to = Math.min(count, from + 1024);
                float[][] batch = model.embed(chunks.subList(from, to), null);
                System.arraycopy(batch, 0, vectors, from, batch.length);
                System.out.printf("embedded %d/%d chunks (%.0f s)%n", to, count, (System.nanoTime() - t0) / 1e9);
            }
        }
        Files.createDirectories(cache.getParent());
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(cache)))) {
            for (float[] v : vectors) {
                for (float x : v) {
                    out.writeFloat(x);
                }
            }
        }
        return vectors;
    }

    private static float[][] read(Path cache, int count) throws IOException {
        int dim = (int) (Files.size(cache) / 4 / count);
        float[][] vectors = new float[count][dim];
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(cache)))) {
            for (float[] v : vectors) {
                for (int k = 0; k < dim; k++) {
                    v[k] = in.readFloat();
                }
            }
        }
        return vectors;
    }

    private static List<String> chunks(Path folder, int count) throws IOException {
        MarkdownChunker chunker = new MarkdownChunker(480, 80);
        Set<String> seen = new LinkedHashSet<>();
        List<Path> files;
        try (var walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).filter(RealTextVectors::isText).sorted().toList();
        }
        for (Path f : files) {
            String text;
            try (InputStream in = f.toString().endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(f)) : Files.newInputStream(f)) {
                text = new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
            } catch (IOException e) {
                continue; // an unreadable file: take the next
            }
            for (Chunk c : chunker.chunk(text)) {
                if (c.text().strip().length() >= 80) {
                    seen.add(c.text().strip());
                }
            }
            if (seen.size() >= count) {
                break;
            }
        }
        List<String> out = new ArrayList<>(seen);
        return out.subList(0, Math.min(count, out.size()));
    }

    private static boolean isText(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".md") || n.endsWith(".txt") || n.startsWith("readme") || n.startsWith("changelog")
                || n.startsWith("news") || n.equals("copyright");
    }
}
