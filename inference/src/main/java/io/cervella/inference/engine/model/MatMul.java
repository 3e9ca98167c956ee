package io.cervella.inference.engine.model;

import static io.cervella.inference.engine.model.VectorDot.F;
import static io.cervella.inference.engine.model.VectorDot.LANES;

import io.cervella.inference.engine.gguf.GgufTensor;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * out[b][r] = dot(row r of W, x[b]) for a batch of inputs, on a {@link ThreadTeam}. Several matrices
 * that read the same input (Q, K and V; gate and up) go out as one piece of work: their rows are laid
 * end to end, so the team meets once instead of once per
 * matrix; each thread claims chunks of consecutive rows, so it reads long sequential runs of weights.
 *
 * <p>One input (generation): the fused kernels of {@link VectorDot} read each weight once, in its own
 * encoding. A batch (a prompt): each row is decoded to floats once ({@link RowDecoder}) and multiplied
 * with every input, two rows by four inputs at a time, so that each vector loaded serves four or
 * two multiply-adds.
 */
public final class MatMul {
    private final ThreadTeam team;

    public MatMul(ThreadTeam team) {
        this.team = team;
    }

    public void apply(GgufTensor w, float[][] x, float[][] out, int batch) {
        apply(x, batch, new GgufTensor[] {w}, new float[][][] {out});
    }

    /** outs[i][b][r] = dot(row r of ws[i], x[b]) for every matrix ws[i]; all take rows of x's length. */
    public void apply(float[][] x, int batch, GgufTensor[] ws, float[][][] outs) {
        int cols = (int) ws[0].rowLength();
        int total = 0;
        float[] sums = null;
        for (GgufTensor w : ws) {
            if (w.rowLength() != cols) {
                throw new IllegalArgumentException(w + " does not take rows of " + cols);
            }
            total += (int) w.rows();
            if (batch == 1 && VectorDot.supports(w.type()) && VectorDot.needsBlockSums(w.type()) && sums == null) {
                sums = VectorDot.blockSums(x[0], cols);
            }
        }
        int allRows = total;
        float[] blockSums = sums;
        if (allRows * (long) cols * batch < 32_768) { // too small to be worth the hand-out
            rows(ws, x, outs, batch, blockSums, 0, allRows, cols);
            return;
        }
        // Chunks handed out from a shared cursor rather than one fixed range per thread: a thread that the
        // system holds up for a moment leaves its unclaimed chunks to the others instead of making them wait.
        int chunk = Math.max(16, allRows / (team.size() * 8));
        AtomicInteger cursor = new AtomicInteger();
        team.run(member -> {
            for (int from = cursor.getAndAdd(chunk); from < allRows; from = cursor.getAndAdd(chunk)) {
                rows(ws, x, outs, batch, blockSums, from, Math.min(allRows, from + chunk), cols);
            }
        });
    }

    /** Rows [from, to) of the matrices laid end to end. */
    private static void rows(GgufTensor[] ws, float[][] x, float[][][] outs, int batch, float[] sums,
                             int from, int to, int cols) {
        int first = 0;
        for (int m = 0; m < ws.length; m++) {
            int rows = (int) ws[m].rows();
            int lo = Math.max(from, first) - first;
            int hi = Math.min(to, first + rows) - first;
            if (lo < hi) {
                if (batch == 1 && VectorDot.supports(ws[m].type())) {
                    single(ws[m], x[0], sums, outs[m][0], lo, hi, cols);
                } else {
                    batched(ws[m], x, outs[m], batch, lo, hi, cols);
                }
            }
            first += rows;
        }
    }

    private static void single(GgufTensor w, float[] x, float[] sums, float[] out, int from, int to, int cols) {
        for (int r = from; r < to; r++) {
            out[r] = VectorDot.dot(w.type(), w.data(), r, x, sums, cols);
        }
    }

    private static void batched(GgufTensor w, float[][] x, float[][] out, int batch, int from, int to, int cols) {
        float[] w0 = new float[cols];
        float[] w1 = new float[cols];
        int r = from;
        for (; r + 2 <= to; r += 2) {
            RowDecoder.decode(w.type(), w.data(), r, w0, cols);
            RowDecoder.decode(w.type(), w.data(), r + 1, w1, cols);
            int b = 0;
            for (; b + 4 <= batch; b += 4) {
                twoRowsFourInputs(w0, w1, x[b], x[b + 1], x[b + 2], x[b + 3], cols, out, r, b);
            }
            for (; b < batch; b++) {
                out[b][r] = VectorDot.dot(w0, 0, x[b], 0, cols);
                out[b][r + 1] = VectorDot.dot(w1, 0, x[b], 0, cols);
            }
        }
        if (r < to) {
            RowDecoder.decode(w.type(), w.data(), r, w0, cols);
            for (int b = 0; b < batch; b++) {
                out[b][r] = VectorDot.dot(w0, 0, x[b], 0, cols);
            }
        }
    }

    /** Eight dot products: rows r and r+1 (decoded in w0, w1) with inputs b..b+3. */
    private static void twoRowsFourInputs(float[] w0, float[] w1, float[] x0, float[] x1, float[] x2, float[] x3,
                                          int n, float[][] out, int r, int b) {
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector u = FloatVector.fromArray(F, w0, i);
            FloatVector v = FloatVector.fromArray(F, w1, i);
            FloatVector y0 = FloatVector.fromArray(F, x0, i);
            FloatVector y1 = FloatVector.fromArray(F, x1, i);
            FloatVector y2 = FloatVector.fromArray(F, x2, i);
            FloatVector y3 = FloatVector.fromArray(F, x3, i);
            a00 = u.fma(y0, a00);
            a01 = u.fma(y1, a01);
            a02 = u.fma(y2, a02);
            a03 = u.fma(y3, a03);
            a10 = v.fma(y0, a10);
            a11 = v.fma(y1, a11);
            a12 = v.fma(y2, a12);
            a13 = v.fma(y3, a13);
        }
        float[] tail = new float[8];
        for (; i < n; i++) {
            tail[0] += w0[i] * x0[i];
            tail[1] += w0[i] * x1[i];
            tail[2] += w0[i] * x2[i];
            tail[3] += w0[i] * x3[i];
            tail[4] += w1[i] * x0[i];
            tail[5] += w1[i] * x1[i];
            tail[6] += w1[i] * x2[i];
            tail[7] += w1[i] * x3[i];
        }
        out[b][r] = a00.reduceLanes(VectorOperators.ADD) + tail[0];
        out[b + 1][r] = a01.reduceLanes(VectorOperators.ADD) + tail[1];
        out[b + 2][r] = a02.reduceLanes(VectorOperators.ADD) + tail[2];
        out[b + 3][r] = a03.reduceLanes(VectorOperators.ADD) + tail[3];
        out[b][r + 1] = a10.reduceLanes(VectorOperators.ADD) + tail[4];
        out[b + 1][r + 1] = a11.reduceLanes(VectorOperators.ADD) + tail[5];
        out[b + 2][r + 1] = a12.reduceLanes(VectorOperators.ADD) + tail[6];
        out[b + 3][r + 1] = a13.reduceLanes(VectorOperators.ADD) + tail[7];
    }
}
