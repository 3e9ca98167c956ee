package io.cervella.inference.engine.model;

import io.cervella.inference.engine.gguf.Dequantizer;
import io.cervella.inference.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products of one weight row, read straight from the mapped file in its own encoding, with float
 * activations, on the widest float vectors of the machine (8 lanes with AVX2, 16 with AVX-512). Bytes
 * of Q8_0 and Q4_0 blocks are widened to floats in registers; nothing is decoded to memory. Types
 * without a kernel here, and machines with narrower vectors, fall back to {@link #supports} = false.
 */
final class VectorDot {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    /** Bytes widened to one float vector per load. */
    private static final VectorSpecies<Byte> B = LANES == 8 || LANES == 16
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8)) : null;
    /** 16 bytes: the nibbles of one Q4_0 block. */
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final boolean ENABLED = B != null && !Boolean.getBoolean("cervella.scalar");

    private VectorDot() {}

    static boolean supports(GgmlType type) {
        return ENABLED && (type == GgmlType.F32 || type == GgmlType.Q8_0 || type == GgmlType.Q4_0 || type == GgmlType.Q4_K);
    }

    /** dot(row {@code row} of a tensor with rows of {@code n} elements, x[0..n)). */
    static float dot(GgmlType type, MemorySegment w, long row, float[] x, int n) {
        return switch (type) {
            case F32 -> f32(w, row * n * 4L, x, n);
            case Q8_0 -> q8_0(w, row * (n / 32) * 34L, x, n);
            case Q4_0 -> q4_0(w, row * (n / 32) * 18L, x, n);
            case Q4_K -> q4_k(w, row * (n / 256) * 144L, x, n);
            default -> throw new IllegalArgumentException(type + " has no vector kernel");
        };
    }

    /**
     * Q4_K: per sub-block j of 32, y = d·scale_j·q − dmin·min_j, so the dot is
     * d·scale_j·Σ(q·x) − dmin·min_j·Σx: two vector sums per sub-block, combined in scalars.
     */
    private static float q4_k(MemorySegment w, long at, float[] x, int n) {
        float total = 0;
        for (int sb = 0; sb < n / 256; sb++) {
            long b = at + sb * 144L;
            float d = Float.float16ToFloat(w.get(I16, b));
            float dmin = Float.float16ToFloat(w.get(I16, b + 2));
            long scales = b + 4;
            long qs = b + 16;
            int base = sb * 256;
            for (int pair = 0; pair < 4; pair++) {
                FloatVector qxLo = FloatVector.zero(F);
                FloatVector qxHi = FloatVector.zero(F);
                FloatVector xLo = FloatVector.zero(F);
                FloatVector xHi = FloatVector.zero(F);
                for (int half = 0; half < 2; half++) { // 2 × 16 bytes = the pair's 32 bytes of nibbles
                    ByteVector q = ByteVector.fromMemorySegment(B128, w, qs + pair * 32L + half * 16L, ByteOrder.LITTLE_ENDIAN);
                    ByteVector lo = q.and((byte) 0x0f);
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0f);
                    for (int part = 0; part * LANES < 16; part++) {
                        int i = base + pair * 64 + half * 16 + part * LANES;
                        FloatVector xl = FloatVector.fromArray(F, x, i);
                        FloatVector xh = FloatVector.fromArray(F, x, i + 32);
                        qxLo = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, part)).fma(xl, qxLo);
                        qxHi = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, part)).fma(xh, qxHi);
                        xLo = xLo.add(xl);
                        xHi = xHi.add(xh);
                    }
                }
                int j = pair * 2;
                total += d * Dequantizer.q4kScale(w, scales, j) * qxLo.reduceLanes(VectorOperators.ADD)
                        - dmin * Dequantizer.q4kMin(w, scales, j) * xLo.reduceLanes(VectorOperators.ADD);
                total += d * Dequantizer.q4kScale(w, scales, j + 1) * qxHi.reduceLanes(VectorOperators.ADD)
                        - dmin * Dequantizer.q4kMin(w, scales, j + 1) * xHi.reduceLanes(VectorOperators.ADD);
            }
        }
        return total;
    }


    /**
     * Four dot products of the same row (four prompt tokens): each weight vector is loaded and widened
     * once and used four times, which is what makes prompt processing faster than token by token.
     */
    static void dot4(GgmlType type, MemorySegment w, long row, float[] x0, float[] x1, float[] x2, float[] x3, int n,
                     float[] out) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        switch (type) {
            case F32 -> {
                long at = row * n * 4L;
                for (int i = 0; i < n; i += LANES) {
                    FloatVector wv = FloatVector.fromMemorySegment(F, w, at + 4L * i, ByteOrder.LITTLE_ENDIAN);
                    a0 = wv.fma(FloatVector.fromArray(F, x0, i), a0);
                    a1 = wv.fma(FloatVector.fromArray(F, x1, i), a1);
                    a2 = wv.fma(FloatVector.fromArray(F, x2, i), a2);
                    a3 = wv.fma(FloatVector.fromArray(F, x3, i), a3);
                }
            }
            case Q8_0 -> {
                long at = row * (n / 32) * 34L;
                for (int block = 0; block < n / 32; block++) {
                    long b = at + block * 34L;
                    FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, b)));
                    for (int j = 0; j < 32; j += LANES) {
                        FloatVector wv = ((FloatVector) ByteVector.fromMemorySegment(B, w, b + 2 + j, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2F, F, 0)).mul(d);
                        int i = block * 32 + j;
                        a0 = wv.fma(FloatVector.fromArray(F, x0, i), a0);
                        a1 = wv.fma(FloatVector.fromArray(F, x1, i), a1);
                        a2 = wv.fma(FloatVector.fromArray(F, x2, i), a2);
                        a3 = wv.fma(FloatVector.fromArray(F, x3, i), a3);
                    }
                }
            }
            case Q4_0 -> {
                long at = row * (n / 32) * 18L;
                ByteVector eight = ByteVector.broadcast(B128, (byte) 8);
                for (int block = 0; block < n / 32; block++) {
                    long b = at + block * 18L;
                    FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, b)));
                    ByteVector q = ByteVector.fromMemorySegment(B128, w, b + 2, ByteOrder.LITTLE_ENDIAN);
                    ByteVector lo = q.and((byte) 0x0f).sub(eight);
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0f).sub(eight);
                    for (int part = 0; part * LANES < 16; part++) {
                        FloatVector l = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, part)).mul(d);
                        FloatVector h = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, part)).mul(d);
                        int i = block * 32 + part * LANES;
                        a0 = h.fma(FloatVector.fromArray(F, x0, i + 16), l.fma(FloatVector.fromArray(F, x0, i), a0));
                        a1 = h.fma(FloatVector.fromArray(F, x1, i + 16), l.fma(FloatVector.fromArray(F, x1, i), a1));
                        a2 = h.fma(FloatVector.fromArray(F, x2, i + 16), l.fma(FloatVector.fromArray(F, x2, i), a2));
                        a3 = h.fma(FloatVector.fromArray(F, x3, i + 16), l.fma(FloatVector.fromArray(F, x3, i), a3));
                    }
                }
            }
            default -> throw new IllegalArgumentException(type + " has no vector kernel");
        }
        out[0] = a0.reduceLanes(VectorOperators.ADD);
        out[1] = a1.reduceLanes(VectorOperators.ADD);
        out[2] = a2.reduceLanes(VectorOperators.ADD);
        out[3] = a3.reduceLanes(VectorOperators.ADD);
    }

    private static float f32(MemorySegment w, long at, float[] x, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector wv = FloatVector.fromMemorySegment(F, w, at + 4L * i, ByteOrder.LITTLE_ENDIAN);
            acc = wv.fma(FloatVector.fromArray(F, x, i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += w.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at + 4L * i) * x[i];
        }
        return sum;
    }

    private static float q8_0(MemorySegment w, long at, float[] x, int n) {
        if (LANES != 8) {
            return q8_0Wide(w, at, x, n);
        }
        // Four independent accumulators, one per 8-byte part of a block: the FMAs of a block do not wait
        // on each other (an FMA takes four cycles to deliver; one chain would leave the unit idle).
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int block = 0; block < n / 32; block++) {
            long b = at + block * 34L;
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, b)));
            int i = block * 32;
            a0 = widen(w, b + 2).mul(d).fma(FloatVector.fromArray(F, x, i), a0);
            a1 = widen(w, b + 10).mul(d).fma(FloatVector.fromArray(F, x, i + 8), a1);
            a2 = widen(w, b + 18).mul(d).fma(FloatVector.fromArray(F, x, i + 16), a2);
            a3 = widen(w, b + 26).mul(d).fma(FloatVector.fromArray(F, x, i + 24), a3);
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    /** Eight signed bytes as eight floats. */
    private static FloatVector widen(MemorySegment w, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, w, at, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, F, 0);
    }

    /** The same for 16-lane machines: two parts of 16 per block. */
    private static float q8_0Wide(MemorySegment w, long at, float[] x, int n) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        for (int block = 0; block < n / 32; block++) {
            long b = at + block * 34L;
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, b)));
            int i = block * 32;
            a0 = widen(w, b + 2).mul(d).fma(FloatVector.fromArray(F, x, i), a0);
            a1 = widen(w, b + 2 + LANES).mul(d).fma(FloatVector.fromArray(F, x, i + LANES), a1);
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    private static float q4_0(MemorySegment w, long at, float[] x, int n) {
        // Separate accumulators for the low and high nibbles (and per part), so that the FMAs of a block
        // are independent of one another.
        FloatVector lo0 = FloatVector.zero(F);
        FloatVector hi0 = FloatVector.zero(F);
        FloatVector lo1 = FloatVector.zero(F);
        FloatVector hi1 = FloatVector.zero(F);
        ByteVector eight = ByteVector.broadcast(B128, (byte) 8);
        for (int block = 0; block < n / 32; block++) {
            long b = at + block * 18L;
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(I16, b)));
            ByteVector q = ByteVector.fromMemorySegment(B128, w, b + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector lo = q.and((byte) 0x0f).sub(eight);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0f).sub(eight);
            int base = block * 32;
            if (LANES == 8) {
                lo0 = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d).fma(FloatVector.fromArray(F, x, base), lo0);
                lo1 = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 1)).mul(d).fma(FloatVector.fromArray(F, x, base + 8), lo1);
                hi0 = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d).fma(FloatVector.fromArray(F, x, base + 16), hi0);
                hi1 = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 1)).mul(d).fma(FloatVector.fromArray(F, x, base + 24), hi1);
            } else {
                lo0 = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d).fma(FloatVector.fromArray(F, x, base), lo0);
                hi0 = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d).fma(FloatVector.fromArray(F, x, base + 16), hi0);
            }
        }
        return lo0.add(lo1).add(hi0.add(hi1)).reduceLanes(VectorOperators.ADD);
    }
}
