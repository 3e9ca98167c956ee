package io.cervella.inference.engine.model;

import static io.cervella.inference.engine.model.VectorDot.F;
import static io.cervella.inference.engine.model.VectorDot.LANES;

import io.cervella.inference.engine.gguf.GgufTensor;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;

/**
 * out[b][r] = dot(row r of W, x[b]) for a batch of inputs, on a {@link ThreadTeam}. Several matrices
 * that read the same input (Q, K and V; gate and up) go out as one piece of work: their rows are laid
 * end to end, so the team meets once instead of once per matrix; each thread claims chunks of
 * consecutive rows, so it reads long sequential runs of weights.
 *
 * <p>One input (a generated token): the fused kernels of {@link VectorDot} read each weight once, in
 * its own encoding. Several inputs (a prompt, or the tokens of several requests batched together):
 * each row is decoded to floats once ({@link RowDecoder}) and multiplied with four inputs at a time.
 *
 * <p>Both paths compute every dot product with the same floats in the same order: weights decoded to
 * the reference's values, chunks of {@link VectorDot#LANES} elements alternating between two
 * accumulators, then one reduction. A token's result is therefore the same to the last bit whether it
 * ran alone, in a prompt, or beside other requests' tokens: batching never changes an answer, and a
 * seed gives the same text under any load.
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
        for (GgufTensor w : ws) {
            if (w.rowLength() != cols) {
                throw new IllegalArgumentException(w + " does not take rows of " + cols);
            }
            total += (int) w.rows();
        }
        int allRows = total;
        if (allRows * (long) cols * batch < 32_768) { // too small to be worth the hand-out
            rows(ws, x, outs, batch, 0, allRows, cols);
            return;
        }
        // Chunks handed out from a shared cursor rather than one fixed range per thread: a thread that the
        // system holds up for a moment leaves its unclaimed chunks to the others instead of making them wait.
        int chunk = Math.max(16, allRows / (team.size() * 8));
        AtomicInteger cursor = new AtomicInteger();
        team.run(member -> {
            for (int from = cursor.getAndAdd(chunk); from < allRows; from = cursor.getAndAdd(chunk)) {
                rows(ws, x, outs, batch, from, Math.min(allRows, from + chunk), cols);
            }
        });
    }

    /** Rows [from, to) of the matrices laid end to end. */
    private static void rows(GgufTensor[] ws, float[][] x, float[][][] outs, int batch, int from, int to, int cols) {
        int first = 0;
        for (int m = 0; m < ws.length; m++) {
            int rows = (int) ws[m].rows();
            int lo = Math.max(from, first) - first;
            int hi = Math.min(to, first + rows) - first;
            if (lo < hi) {
                if (batch == 1 && VectorDot.supports(ws[m].type())) {
                    single(ws[m], x[0], outs[m][0], lo, hi, cols);
                } else {
                    batched(ws[m], x, outs[m], batch, lo, hi, cols);
                }
            }
            first += rows;
        }
    }

    private static void single(GgufTensor w, float[] x, float[] out, int from, int to, int cols) {
        for (int r = from; r < to; r++) {
            out[r] = VectorDot.dot(w.type(), w.data(), r, x, cols);
        }
    }

    private static void batched(GgufTensor w, float[][] x, float[][] out, int batch, int from, int to, int cols) {
        float[] w0 = new float[cols];
        float[] w1 = new float[cols];
        float[] sums = new float[8];
        for (int r = from; r < to; r += 2) {
            boolean pair = r + 1 < to;
            RowDecoder.decode(w.type(), w.data(), r, w0, cols);
            if (pair) {
                RowDecoder.decode(w.type(), w.data(), r + 1, w1, cols);
            }
            if (batch == 1) {
                out[0][r] = VectorDot.dot(w0, 0, x[0], 0, cols);
                if (pair) {
                    out[0][r + 1] = VectorDot.dot(w1, 0, x[0], 0, cols);
                }
                continue;
            }
            for (int b = 0; b < batch; b += 4) {
                // Groups of four inputs; a last group of two or three repeats its last input (the spare
                // sums are dropped), which costs some multiply-adds but keeps the weights loaded once.
                int k = Math.min(4, batch - b);
                float[] x0 = x[b];
                float[] x1 = x[b + Math.min(1, k - 1)];
                float[] x2 = x[b + Math.min(2, k - 1)];
                float[] x3 = x[b + k - 1];
                if (pair && TWO_ROW_TILES) {
                    twoRowsFourInputs(w0, w1, x0, x1, x2, x3, cols, sums);
                } else {
                    fourInputs(w0, x0, x1, x2, x3, cols, sums, 0);
                    if (pair) {
                        fourInputs(w1, x0, x1, x2, x3, cols, sums, 4);
                    }
                }
                for (int j = 0; j < k; j++) {
                    out[b + j][r] = sums[j];
                    if (pair) {
                        out[b + j][r + 1] = sums[4 + j];
                    }
                }
            }
        }
    }

    /**
     * Two rows by four inputs, two accumulators each: 16 vector registers of sums, which AVX-512's 32
     * registers hold and AVX2's 16 do not (there {@link #fourInputs} row by row, without spilling).
     */
    private static final boolean TWO_ROW_TILES = LANES >= 16;

    /** {@link #fourInputs} for rows r (w0) and r+1 (w1) at once: each input vector loaded serves both rows. */
    private static void twoRowsFourInputs(float[] w0, float[] w1, float[] x0, float[] x1, float[] x2, float[] x3, int n,
                                          float[] sums) {
        FloatVector a0 = FloatVector.zero(F), c0 = FloatVector.zero(F), e0 = FloatVector.zero(F), g0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F), c1 = FloatVector.zero(F), e1 = FloatVector.zero(F), g1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), c2 = FloatVector.zero(F), e2 = FloatVector.zero(F), g2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F), c3 = FloatVector.zero(F), e3 = FloatVector.zero(F), g3 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * LANES <= n; i += 2 * LANES) {
            FloatVector u = FloatVector.fromArray(F, w0, i);
            FloatVector p = FloatVector.fromArray(F, w1, i);
            FloatVector y0 = FloatVector.fromArray(F, x0, i);
            FloatVector y1 = FloatVector.fromArray(F, x1, i);
            FloatVector y2 = FloatVector.fromArray(F, x2, i);
            FloatVector y3 = FloatVector.fromArray(F, x3, i);
            a0 = u.fma(y0, a0);
            a1 = u.fma(y1, a1);
            a2 = u.fma(y2, a2);
            a3 = u.fma(y3, a3);
            e0 = p.fma(y0, e0);
            e1 = p.fma(y1, e1);
            e2 = p.fma(y2, e2);
            e3 = p.fma(y3, e3);
            FloatVector v = FloatVector.fromArray(F, w0, i + LANES);
            FloatVector q = FloatVector.fromArray(F, w1, i + LANES);
            y0 = FloatVector.fromArray(F, x0, i + LANES);
            y1 = FloatVector.fromArray(F, x1, i + LANES);
            y2 = FloatVector.fromArray(F, x2, i + LANES);
            y3 = FloatVector.fromArray(F, x3, i + LANES);
            c0 = v.fma(y0, c0);
            c1 = v.fma(y1, c1);
            c2 = v.fma(y2, c2);
            c3 = v.fma(y3, c3);
            g0 = q.fma(y0, g0);
            g1 = q.fma(y1, g1);
            g2 = q.fma(y2, g2);
            g3 = q.fma(y3, g3);
        }
        sums[0] = VectorDot.sum(a0.add(c0));
        sums[1] = VectorDot.sum(a1.add(c1));
        sums[2] = VectorDot.sum(a2.add(c2));
        sums[3] = VectorDot.sum(a3.add(c3));
        sums[4] = VectorDot.sum(e0.add(g0));
        sums[5] = VectorDot.sum(e1.add(g1));
        sums[6] = VectorDot.sum(e2.add(g2));
        sums[7] = VectorDot.sum(e3.add(g3));
        for (; i < n; i++) {
            sums[0] += w0[i] * x0[i];
            sums[1] += w0[i] * x1[i];
            sums[2] += w0[i] * x2[i];
            sums[3] += w0[i] * x3[i];
            sums[4] += w1[i] * x0[i];
            sums[5] += w1[i] * x1[i];
            sums[6] += w1[i] * x2[i];
            sums[7] += w1[i] * x3[i];
        }
    }

    /**
     * Dot products of one decoded row with four inputs (into sums[at..at+3]), each in the order of
     * {@link VectorDot#dot(float[], int, float[], int, int)}: the row's vectors are loaded once for four
     * inputs.
     */
    private static void fourInputs(float[] w, float[] x0, float[] x1, float[] x2, float[] x3, int n, float[] sums, int at) {
        FloatVector a0 = FloatVector.zero(F), c0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F), c1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), c2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * LANES <= n; i += 2 * LANES) {
            FloatVector u = FloatVector.fromArray(F, w, i);
            FloatVector v = FloatVector.fromArray(F, w, i + LANES);
            a0 = u.fma(FloatVector.fromArray(F, x0, i), a0);
            a1 = u.fma(FloatVector.fromArray(F, x1, i), a1);
            a2 = u.fma(FloatVector.fromArray(F, x2, i), a2);
            a3 = u.fma(FloatVector.fromArray(F, x3, i), a3);
            c0 = v.fma(FloatVector.fromArray(F, x0, i + LANES), c0);
            c1 = v.fma(FloatVector.fromArray(F, x1, i + LANES), c1);
            c2 = v.fma(FloatVector.fromArray(F, x2, i + LANES), c2);
            c3 = v.fma(FloatVector.fromArray(F, x3, i + LANES), c3);
        }
        float s0 = VectorDot.sum(a0.add(c0));
        float s1 = VectorDot.sum(a1.add(c1));
        float s2 = VectorDot.sum(a2.add(c2));
        float s3 = VectorDot.sum(a3.add(c3));
        for (; i < n; i++) {
            s0 += w[i] * x0[i];
            s1 += w[i] * x1[i];
            s2 += w[i] * x2[i];
            s3 += w[i] * x3[i];
        }
        sums[at] = s0;
        sums[at + 1] = s1;
        sums[at + 2] = s2;
        sums[at + 3] = s3;
    }
}
