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
 * Dot products of one weight row, read straight from the mapped file in its own encoding, with one
 * float activation vector: the kernels of generation, where every weight is used once per token and
 * the time goes into reading and widening it. Nothing is decoded to memory: bytes are widened to
 * floats in registers, scaled to the very floats {@link RowDecoder} writes, and multiplied in the one
 * order that every product of the engine keeps (see {@link MatMul}). Works on the widest float vectors of the machine (8 lanes with AVX2, 16 with AVX-512); types
 * without a kernel here, and machines with other widths, answer {@link #supports} = false.
 */
final class VectorDot {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int LANES = F.length();
    /** As many bytes as float lanes: one load widens to one float vector. */
    static final VectorSpecies<Byte> B = LANES == 8 || LANES == 16
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8)) : null;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final boolean ENABLED = B != null && !Boolean.getBoolean("cervella.scalar");

    private VectorDot() {}

    static boolean supports(GgmlType type) {
        return ENABLED && switch (type) {
            case F32, Q8_0, Q4_0, Q4_K, Q6_K -> true;
            default -> false;
        };
    }

    /** dot(row {@code row} of a tensor with rows of {@code n} elements, x[0..n)). */
    static float dot(GgmlType type, MemorySegment w, long row, float[] x, int n) {
        return switch (type) {
            case F32 -> f32(w, row * n * 4L, x, n);
            case Q8_0 -> q8_0(w, row * (n / 32) * 34L, x, n);
            case Q4_0 -> q4_0(w, row * (n / 32) * 18L, x, n);
            case Q4_K -> q4_k(w, row * (n / 256) * 144L, x, n);
            case Q6_K -> q6_k(w, row * (n / 256) * 210L, x, n);
            default -> throw new IllegalArgumentException(type + " has no vector kernel");
        };
    }

    /**
     * dot(a[aOff..aOff+n), b[bOff..bOff+n)) of two float arrays, in the order every kernel here keeps
     * (see the class comment of {@link MatMul}): chunks of {@link #LANES} elements, even chunks into
     * one accumulator and odd ones into another, the two added and reduced, then the tail in order.
     */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * LANES <= n; i += 2 * LANES) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + LANES).fma(FloatVector.fromArray(F, b, bOff + i + LANES), acc1);
        }
        float total = sum(acc0.add(acc1));
        for (; i < n; i++) {
            total += a[aOff + i] * b[bOff + i];
        }
        return total;
    }

    // Every kernel below decodes each weight in registers to exactly the float that RowDecoder (and the
    // scalar reference) gives it, and multiplies in the order of dot(float[]...): so a token's result
    // does not depend on whether it ran alone or in a batch with others, to the last bit.

    private static float f32(MemorySegment w, long at, float[] x, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * LANES <= n; i += 2 * LANES) {
            acc0 = FloatVector.fromMemorySegment(F, w, at + 4L * i, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(F, x, i), acc0);
            acc1 = FloatVector.fromMemorySegment(F, w, at + 4L * (i + LANES), ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(F, x, i + LANES), acc1);
        }
        float total = sum(acc0.add(acc1));
        for (; i < n; i++) {
            total += w.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at + 4L * i) * x[i];
        }
        return total;
    }

    /** Q8_0: 34-byte blocks, an f16 scale and 32 signed bytes. */
    private static float q8_0(MemorySegment w, long at, float[] x, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int block = 0; block < n / 32; block++) {
            long b = at + block * 34L;
            int base = block * 32;
            FloatVector d = FloatVector.broadcast(F, f16(w, b));
            for (int part = 0; part < 32 / LANES; part += 2) {
                acc0 = d.mul(widen(bytes(w, b + 2 + part * LANES))).fma(FloatVector.fromArray(F, x, base + part * LANES), acc0);
                acc1 = d.mul(widen(bytes(w, b + 2 + (part + 1) * LANES)))
                        .fma(FloatVector.fromArray(F, x, base + (part + 1) * LANES), acc1);
            }
        }
        return sum(acc0.add(acc1));
    }

    /** Q4_0: 18-byte blocks, an f16 scale and 16 bytes: low nibbles are elements 0-15, high ones 16-31, minus 8. */
    private static float q4_0(MemorySegment w, long at, float[] x, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int block = 0; block < n / 32; block++) {
            long b = at + block * 18L;
            int base = block * 32;
            FloatVector d = FloatVector.broadcast(F, f16(w, b));
            if (LANES == 16) { // chunks: low nibbles (elements 0-15), high nibbles (16-31)
                ByteVector q = bytes(w, b + 2);
                acc0 = d.mul(widen(low(q).sub((byte) 8))).fma(FloatVector.fromArray(F, x, base), acc0);
                acc1 = d.mul(widen(high(q).sub((byte) 8))).fma(FloatVector.fromArray(F, x, base + 16), acc1);
            } else { // chunks: low nibbles of bytes 0-7, of 8-15, high nibbles of 0-7, of 8-15
                ByteVector q0 = bytes(w, b + 2);
                ByteVector q1 = bytes(w, b + 10);
                acc0 = d.mul(widen(low(q0).sub((byte) 8))).fma(FloatVector.fromArray(F, x, base), acc0);
                acc1 = d.mul(widen(low(q1).sub((byte) 8))).fma(FloatVector.fromArray(F, x, base + 8), acc1);
                acc0 = d.mul(widen(high(q0).sub((byte) 8))).fma(FloatVector.fromArray(F, x, base + 16), acc0);
                acc1 = d.mul(widen(high(q1).sub((byte) 8))).fma(FloatVector.fromArray(F, x, base + 24), acc1);
            }
        }
        return sum(acc0.add(acc1));
    }

    /**
     * Q4_K: 144-byte super-blocks of 256 (f16 d and dmin, 12 bytes of 6-bit scales and minimums for
     * eight sub-blocks of 32, 128 bytes of nibbles: each 32 bytes hold two sub-blocks, low nibbles
     * first). Element = (d·scale_j)·q − (dmin·min_j).
     */
    private static float q4_k(MemorySegment w, long at, float[] x, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        float d = 0;
        float dmin = 0;
        int scalesLow = 0;
        int minsLow = 0;
        int scalesHigh = 0;
        int minsHigh = 0;
        // One flat loop over pairs of sub-blocks (64 weights, 32 bytes of nibbles) rather than nested
        // loops: the compiler keeps the index checks out of a flat loop, not out of the inner ones.
        for (int p = 0; p < n / 64; p++) {
            int pair = p & 3;
            long b = at + (p >>> 2) * 144L;
            if (pair == 0) {
                d = f16(w, b);
                dmin = f16(w, b + 2);
                // The twelve bytes of 6-bit scales and minimums, unpacked four at a time in 32-bit
                // registers: sub-blocks 0-3 keep theirs in the low 6 bits of bytes 0-3 (scales) and 4-7
                // (minimums); sub-blocks 4-7 take 4 bits from bytes 8-11 and their top 2 bits from bits
                // 6-7 of bytes 0-7.
                long packed = w.get(I64, b + 4);
                int packedHigh = w.get(I32, b + 12);
                int first4 = (int) packed;
                int second4 = (int) (packed >>> 32);
                scalesLow = first4 & 0x3f3f3f3f;
                minsLow = second4 & 0x3f3f3f3f;
                scalesHigh = (packedHigh & 0x0f0f0f0f) | ((first4 & 0xc0c0c0c0) >>> 2);
                minsHigh = ((packedHigh >>> 4) & 0x0f0f0f0f) | ((second4 & 0xc0c0c0c0) >>> 2);
            }
            int shift = 16 * (pair & 1);
            int scales = (pair < 2 ? scalesLow : scalesHigh) >>> shift;
            int mins = (pair < 2 ? minsLow : minsHigh) >>> shift;
            FloatVector d1 = FloatVector.broadcast(F, d * (scales & 0xff));
            FloatVector m1 = FloatVector.broadcast(F, dmin * (mins & 0xff));
            FloatVector d2 = FloatVector.broadcast(F, d * ((scales >>> 8) & 0xff));
            FloatVector m2 = FloatVector.broadcast(F, dmin * ((mins >>> 8) & 0xff));
            long qs = b + 16 + pair * 32L;
            int i = p * 64;
            for (int part = 0; part < 32 / LANES; part += 2) { // elements 0-31: low nibbles
                acc0 = widen(low(bytes(w, qs + part * LANES))).mul(d1).sub(m1)
                        .fma(FloatVector.fromArray(F, x, i + part * LANES), acc0);
                acc1 = widen(low(bytes(w, qs + (part + 1) * LANES))).mul(d1).sub(m1)
                        .fma(FloatVector.fromArray(F, x, i + (part + 1) * LANES), acc1);
            }
            for (int part = 0; part < 32 / LANES; part += 2) { // elements 32-63: high nibbles
                acc0 = widen(high(bytes(w, qs + part * LANES))).mul(d2).sub(m2)
                        .fma(FloatVector.fromArray(F, x, i + 32 + part * LANES), acc0);
                acc1 = widen(high(bytes(w, qs + (part + 1) * LANES))).mul(d2).sub(m2)
                        .fma(FloatVector.fromArray(F, x, i + 32 + (part + 1) * LANES), acc1);
            }
        }
        return sum(acc0.add(acc1));
    }

    /**
     * Q6_K: 210-byte super-blocks of 256 (128 bytes of low nibbles, 64 of high 2-bit pairs, 16 signed
     * 8-bit scales, one per 16 elements, then the f16 d). Element = (d·scale)·(q − 32), q 6 bits. Each
     * half of 128 takes 64 low-nibble bytes and 32 high bytes; a high byte holds the top bits of four
     * elements 32 apart.
     */
    private static float q6_k(MemorySegment w, long at, float[] x, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int sb = 0; sb < n / 256; sb++) {
            long b = at + sb * 210L;
            float d = f16(w, b + 208);
            for (int half = 0; half < 2; half++) {
                long ql = b + 64L * half;
                long qh = b + 128 + 32L * half;
                long sc = b + 192 + 8L * half;
                int base = sb * 256 + 128 * half;
                for (int k = 0; k < 4; k++) { // elements 32k .. 32k+31 of the half
                    for (int l = 0; l < 32; l += 2 * LANES) {
                        acc0 = q6kWeights(w, ql, qh, sc, d, k, l).fma(FloatVector.fromArray(F, x, base + 32 * k + l), acc0);
                        acc1 = q6kWeights(w, ql, qh, sc, d, k, l + LANES)
                                .fma(FloatVector.fromArray(F, x, base + 32 * k + l + LANES), acc1);
                    }
                }
            }
        }
        return sum(acc0.add(acc1));
    }

    /** Elements 32k+l .. 32k+l+LANES of a Q6_K half, decoded as {@link RowDecoder} decodes them. */
    static FloatVector q6kWeights(MemorySegment w, long ql, long qh, long sc, float d, int k, int l) {
        return FloatVector.broadcast(F, d * w.get(ValueLayout.JAVA_BYTE, sc + l / 16 + 2 * k))
                .mul(widen(q6k(bytes(w, ql + l), bytes(w, ql + l + 32), bytes(w, qh + l), k)));
    }

    /**
     * The k-th (0-3) group of 6-bit Q6_K values, minus 32, of one half: from the low nibbles of the first
     * (k = 0) or second (k = 1) 32 low-bit bytes, or their high nibbles (k = 2, 3), with the two top bits
     * taken from bits 2k, 2k+1 of the high bytes and moved to bits 4-5.
     */
    static ByteVector q6k(ByteVector first, ByteVector second, ByteVector top, int k) {
        ByteVector v = switch (k) {
            case 0 -> low(first).or(shiftLeft(top, 4).and((byte) 0x30));
            case 1 -> low(second).or(shiftLeft(top, 2).and((byte) 0x30));
            case 2 -> high(first).or(top.and((byte) 0x30));
            default -> high(second).or(shiftRight(top, 2).and((byte) 0x30));
        };
        return v.sub((byte) 32);
    }

    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> F128 = FloatVector.SPECIES_128;

    /**
     * The sum of a vector's lanes, always in the same order: the halves added lane by lane down to four
     * lanes, then ((0 + 1) + (2 + 3)). {@code reduceLanes(ADD)} leaves its order open, and it does differ
     * between compiled and interpreted code, which would make a result depend on how warm the JVM is.
     */
    static float sum(FloatVector v) {
        if (LANES != 16 && LANES != 8) {
            return pairwise(v.toArray(), 0, LANES); // other widths (4 lanes with NEON): the same idea on an array
        }
        FloatVector h = LANES == 16
                ? ((FloatVector) v.reinterpretShape(F256, 0)).add((FloatVector) v.reinterpretShape(F256, 1)) : v;
        FloatVector q = ((FloatVector) h.reinterpretShape(F128, 0)).add((FloatVector) h.reinterpretShape(F128, 1));
        return (q.lane(0) + q.lane(1)) + (q.lane(2) + q.lane(3));
    }

    /** a[from..from+n) summed as a fixed tree: the halves' sums added. */
    private static float pairwise(float[] a, int from, int n) {
        return n == 1 ? a[from] : pairwise(a, from, n / 2) + pairwise(a, from + n / 2, n - n / 2);
    }

    static float f16(MemorySegment w, long at) {
        return Float.float16ToFloat(w.get(I16, at));
    }

    /** {@link #LANES} bytes from the mapping. */
    static ByteVector bytes(MemorySegment w, long at) {
        return ByteVector.fromMemorySegment(B, w, at, ByteOrder.LITTLE_ENDIAN);
    }

    /** Signed bytes as floats. */
    static FloatVector widen(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    static ByteVector low(ByteVector q) {
        return q.and((byte) 0x0f);
    }

    static ByteVector high(ByteVector q) {
        return shiftRight(q, 4).and((byte) 0x0f);
    }

    /**
     * Bytes shifted right by {@code bits}, with bits of the neighbouring byte coming in at the top (the
     * caller masks them off): x86 has no byte shift, and a shift of 32-bit lanes is one instruction where the byte
     * form is several.
     */
    static ByteVector shiftRight(ByteVector q, int bits) {
        return q.reinterpretAsInts().lanewise(VectorOperators.LSHR, bits).reinterpretAsBytes();
    }

    /** The same to the left. */
    static ByteVector shiftLeft(ByteVector q, int bits) {
        return q.reinterpretAsInts().lanewise(VectorOperators.LSHL, bits).reinterpretAsBytes();
    }
}
