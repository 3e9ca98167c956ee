package io.cervella.inference.engine.model;

import io.cervella.inference.engine.gguf.Dequantizer;
import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.gguf.GgufTensor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.ArrayList;
import java.util.List;

/**
 * out[b][r] = dot(row r of W, x[b]) for a batch of inputs. Rows are cut into one contiguous range per
 * thread (long sequential reads, which the memory prefetchers like, and one hand-off per thread);
 * within a range, each weight row is read once for up to four inputs ({@link VectorDot#dot4}). Types
 * without a vector kernel are decoded row by row and multiplied in plain Java.
 */
public final class MatMul {
    private final ForkJoinPool pool;
    private final int threads;

    public MatMul(int threads) {
        this.threads = threads;
        this.pool = new ForkJoinPool(threads);
    }

    public void apply(GgufTensor w, float[][] x, float[][] out, int batch) {
        int rows = (int) w.rows();
        int cols = (int) w.rowLength();
        int parts = Math.min(threads, Math.max(1, rows / 16));
        if (parts == 1) {
            rows(w, x, out, batch, 0, rows, cols);
            return;
        }
        List<ForkJoinTask<?>> tasks = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) rows * p / parts);
            int to = (int) ((long) rows * (p + 1) / parts);
            tasks.add(pool.submit(() -> rows(w, x, out, batch, from, to, cols)));
        }
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
    }

    public void close() {
        pool.shutdown();
    }

    private static void rows(GgufTensor w, float[][] x, float[][] out, int batch, int from, int to, int cols) {
        if (VectorDot.supports(w.type()) && cols % 32 == 0) {
            float[] four = new float[4];
            boolean hasDot4 = w.type() != GgmlType.Q4_K; // dot4 has no Q4_K form yet
            for (int r = from; r < to; r++) {
                int b = 0;
                for (; hasDot4 && b + 4 <= batch; b += 4) {
                    VectorDot.dot4(w.type(), w.data(), r, x[b], x[b + 1], x[b + 2], x[b + 3], cols, four);
                    out[b][r] = four[0];
                    out[b + 1][r] = four[1];
                    out[b + 2][r] = four[2];
                    out[b + 3][r] = four[3];
                }
                for (; b < batch; b++) {
                    out[b][r] = VectorDot.dot(w.type(), w.data(), r, x[b], cols);
                }
            }
            return;
        }
        float[] row = new float[cols];
        for (int r = from; r < to; r++) {
            Dequantizer.dequantize(w.type(), w.data(), (long) r * cols, row, 0, cols);
            for (int b = 0; b < batch; b++) {
                float[] xb = x[b];
                float sum = 0;
                for (int c = 0; c < cols; c++) {
                    sum += row[c] * xb[c];
                }
                out[b][r] = sum;
            }
        }
    }
}
