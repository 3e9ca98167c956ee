package io.cervella.inference.engine.model;

import io.cervella.inference.engine.gguf.Dequantizer;
import io.cervella.inference.engine.gguf.GgufTensor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * out[b][r] = dot(row r of W, x[b]) for a batch of inputs. Each weight row is decoded once and used
 * for every input of the batch (matrix-matrix for prompts, matrix-vector for generation); rows are
 * shared out over the engine's own threads. This is the plain reference; faster kernels replace the
 * row loop, not the contract.
 */
public final class MatMul {
    private static final int ROWS_PER_TASK = 16;

    private final ForkJoinPool pool;

    public MatMul(int threads) {
        this.pool = new ForkJoinPool(threads);
    }

    public void apply(GgufTensor w, float[][] x, float[][] out, int batch) {
        int rows = (int) w.rows();
        int cols = (int) w.rowLength();
        pool.invoke(new Rows(w, x, out, batch, 0, rows, cols));
    }

    public void close() {
        pool.shutdown();
    }

    private static final class Rows extends RecursiveAction {
        private final GgufTensor w;
        private final float[][] x;
        private final float[][] out;
        private final int batch;
        private final int from;
        private final int to;
        private final int cols;

        Rows(GgufTensor w, float[][] x, float[][] out, int batch, int from, int to, int cols) {
            this.w = w;
            this.x = x;
            this.out = out;
            this.batch = batch;
            this.from = from;
            this.to = to;
            this.cols = cols;
        }

        @Override
        protected void compute() {
            if (to - from > ROWS_PER_TASK) {
                int mid = (from + to) >>> 1;
                invokeAll(new Rows(w, x, out, batch, from, mid, cols), new Rows(w, x, out, batch, mid, to, cols));
                return;
            }
            if (VectorDot.supports(w.type()) && cols % 32 == 0) {
                float[] four = new float[4];
                for (int r = from; r < to; r++) {
                    int b = 0;
                    for (; b + 4 <= batch; b += 4) {
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
}
