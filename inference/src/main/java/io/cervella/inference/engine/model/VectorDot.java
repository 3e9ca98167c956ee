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

    /**
     * out[0] = dot(row {@code row0}, x), out[1] = dot(row {@code row1}, x), rows of {@code n} elements.
     * Two rows at once: each input vector loaded serves both, and the two sums are independent chains
     * of multiply-adds that the processor overlaps. (For one row, pass it twice.)
     */
    static void dot2(GgmlType type, MemorySegment w, long row0, long row1, float[] x, int n, float[] out) {
        switch (type) {
            case F32 -> f32(w, row0 * n * 4L, row1 * n * 4L, x, n, out);
            case Q8_0 -> q8_0(w, row0 * (n / 32) * 34L, row1 * (n / 32) * 34L, x, n, out);
            case Q4_0 -> q4_0(w, row0 * (n / 32) * 18L, row1 * (n / 32) * 18L, x, n, out);
            case Q4_K -> q4_k(w, row0 * (n / 256) * 144L, row1 * (n / 256) * 144L, x, n, out);
            case Q6_K -> q6_k(w, row0 * (n / 256) * 210L, row1 * (n / 256) * 210L, x, n, out);
            default -> throw new IllegalArgumentException(type + " has no vector kernel");
        }
    }

    /**
     * dot(a[aOff..aOff+n), b[bOff..bOff+n)) of two float arrays, in the order every product of the
     * engine keeps (see {@link MatMul}): one multiply-add per chunk of {@link #LANES} elements, in
     * element order, into one accumulator; its lanes summed by {@link #sum}; then the tail in order.
     */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
        }
        float total = sum(acc);
        for (; i < n; i++) {
            total += a[aOff + i] * b[bOff + i];
        }
        return total;
    }

    // Every kernel below decodes each weight in registers to exactly the float that RowDecoder (and the
    // scalar reference) gives it, and multiplies in the order of dot(float[]...): so a token's result
    // does not depend on whether it ran alone or in a batch with others, to the last bit.

    private static void f32(MemorySegment w, long at0, long at1, float[] x, int n, float[] out) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector xv = FloatVector.fromArray(F, x, i);
            acc0 = FloatVector.fromMemorySegment(F, w, at0 + 4L * i, ByteOrder.LITTLE_ENDIAN).fma(xv, acc0);
            acc1 = FloatVector.fromMemorySegment(F, w, at1 + 4L * i, ByteOrder.LITTLE_ENDIAN).fma(xv, acc1);
        }
        float total0 = sum(acc0);
        float total1 = sum(acc1);
        for (; i < n; i++) {
            total0 += w.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at0 + 4L * i) * x[i];
            total1 += w.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at1 + 4L * i) * x[i];
        }
        out[0] = total0;
        out[1] = total1;
    }

    /** Q8_0: 34-byte blocks, an f16 scale and 32 signed bytes. */
    private static void q8_0(MemorySegment w, long at0, long at1, float[] x, int n, float[] out) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int block = 0; block < n / 32; block++) {
            long b0 = at0 + block * 34L;
            long b1 = at1 + block * 34L;
            FloatVector d0 = FloatVector.broadcast(F, f16(w, b0));
            FloatVector d1 = FloatVector.broadcast(F, f16(w, b1));
            for (int part = 0; part < 32 / LANES; part++) {
                FloatVector xv = FloatVector.fromArray(F, x, block * 32 + part * LANES);
                acc0 = d0.mul(widen(bytes(w, b0 + 2 + part * LANES))).fma(xv, acc0);
                acc1 = d1.mul(widen(bytes(w, b1 + 2 + part * LANES))).fma(xv, acc1);
            }
        }
        out[0] = sum(acc0);
        out[1] = sum(acc1);
    }

    /** Q4_0: 18-byte blocks, an f16 scale and 16 bytes: low nibbles are elements 0-15, high ones 16-31, minus 8. */
    private static void q4_0(MemorySegment w, long at0, long at1, float[] x, int n, float[] out) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int block = 0; block < n / 32; block++) {
            long b0 = at0 + block * 18L;
            long b1 = at1 + block * 18L;
            int base = block * 32;
            FloatVector d0 = FloatVector.broadcast(F, f16(w, b0));
            FloatVector d1 = FloatVector.broadcast(F, f16(w, b1));
            for (int part = 0; part < 16 / LANES; part++) { // low nibbles: elements 0-15
                FloatVector xv = FloatVector.fromArray(F, x, base + part * LANES);
                acc0 = d0.mul(widen(low(bytes(w, b0 + 2 + part * LANES)).sub((byte) 8))).fma(xv, acc0);
                acc1 = d1.mul(widen(low(bytes(w, b1 + 2 + part * LANES)).sub((byte) 8))).fma(xv, acc1);
            }
            for (int part = 0; part < 16 / LANES; part++) { // high nibbles: elements 16-31
                FloatVector xv = FloatVector.fromArray(F, x, base + 16 + part * LANES);
                acc0 = d0.mul(widen(high(bytes(w, b0 + 2 + part * LANES)).sub((byte) 8))).fma(xv, acc0);
                acc1 = d1.mul(widen(high(bytes(w, b1 + 2 + part * LANES)).sub((byte) 8))).fma(xv, acc1);
            }
        }
        out[0] = sum(acc0);
        out[1] = sum(acc1);
    }

    /**
     * Q4_K: 144-byte super-blocks of 256 (f16 d and dmin, 12 bytes of 6-bit scales and minimums for
     * eight sub-blocks of 32, 128 bytes of nibbles: each 32 bytes hold two sub-blocks, low nibbles
     * first). Element = (d·scale_j)·q − (dmin·min_j).
     */
    private static void q4_k(MemorySegment w, long at0, long at1, float[] x, int n, float[] out) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int sb = 0; sb < n / 256; sb++) {
            long b0 = at0 + sb * 144L;
            long b1 = at1 + sb * 144L;
            Q4kScales s0 = Q4kScales.of(w, b0);
            Q4kScales s1 = Q4kScales.of(w, b1);
            for (int j = 0; j < 8; j++) { // sub-block j: nibbles of bytes 32·(j/2).., low for even j, high for odd
                FloatVector scale0 = FloatVector.broadcast(F, s0.scale(j));
                FloatVector min0 = FloatVector.broadcast(F, s0.min(j));
                FloatVector scale1 = FloatVector.broadcast(F, s1.scale(j));
                FloatVector min1 = FloatVector.broadcast(F, s1.min(j));
                long qs = 16 + (j / 2) * 32L;
                for (int part = 0; part < 32 / LANES; part++) {
                    FloatVector xv = FloatVector.fromArray(F, x, sb * 256 + j * 32 + part * LANES);
                    ByteVector q0 = bytes(w, b0 + qs + part * LANES);
                    ByteVector q1 = bytes(w, b1 + qs + part * LANES);
                    acc0 = widen((j & 1) == 0 ? low(q0) : high(q0)).mul(scale0).sub(min0).fma(xv, acc0);
                    acc1 = widen((j & 1) == 0 ? low(q1) : high(q1)).mul(scale1).sub(min1).fma(xv, acc1);
                }
            }
        }
        out[0] = sum(acc0);
        out[1] = sum(acc1);
    }

    /**
     * The scales and minimums of one Q4_K super-block as floats (d·scale_j, dmin·min_j): the twelve
     * bytes of 6-bit values unpacked four at a time in 32-bit registers. Sub-blocks 0-3 keep theirs in
     * the low 6 bits of bytes 0-3 (scales) and 4-7 (minimums); sub-blocks 4-7 take 4 bits from bytes
     * 8-11 and their top 2 bits from bits 6-7 of bytes 0-7.
     */
    record Q4kScales(float d, float dmin, int scalesLow, int minsLow, int scalesHigh, int minsHigh) {
        static Q4kScales of(MemorySegment w, long b) {
            long packed = w.get(I64, b + 4);
            int packedHigh = w.get(I32, b + 12);
            int first4 = (int) packed;
            int second4 = (int) (packed >>> 32);
            return new Q4kScales(f16(w, b), f16(w, b + 2), first4 & 0x3f3f3f3f, second4 & 0x3f3f3f3f,
                    (packedHigh & 0x0f0f0f0f) | ((first4 & 0xc0c0c0c0) >>> 2),
                    ((packedHigh >>> 4) & 0x0f0f0f0f) | ((second4 & 0xc0c0c0c0) >>> 2));
        }

        float scale(int j) {
            return d * (((j < 4 ? scalesLow : scalesHigh) >>> (8 * (j & 3))) & 0xff);
        }

        float min(int j) {
            return dmin * (((j < 4 ? minsLow : minsHigh) >>> (8 * (j & 3))) & 0xff);
        }
    }

    /**
     * Q6_K: 210-byte super-blocks of 256 (128 bytes of low nibbles, 64 of high 2-bit pairs, 16 signed
     * 8-bit scales, one per 16 elements, then the f16 d). Element = (d·scale)·(q − 32), q 6 bits. Each
     * half of 128 takes 64 low-nibble bytes and 32 high bytes; a high byte holds the top bits of four
     * elements 32 apart.
     */
    private static void q6_k(MemorySegment w, long at0, long at1, float[] x, int n, float[] out) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int sb = 0; sb < n / 256; sb++) {
            long b0 = at0 + sb * 210L;
            long b1 = at1 + sb * 210L;
            float d0 = f16(w, b0 + 208);
            float d1 = f16(w, b1 + 208);
            for (int half = 0; half < 2; half++) {
                int base = sb * 256 + 128 * half;
                for (int k = 0; k < 4; k++) { // elements 32k .. 32k+31 of the half
                    for (int l = 0; l < 32; l += LANES) {
                        FloatVector xv = FloatVector.fromArray(F, x, base + 32 * k + l);
                        acc0 = q6kWeights(w, b0 + 64L * half, b0 + 128 + 32L * half, b0 + 192 + 8L * half, d0, k, l)
                                .fma(xv, acc0);
                        acc1 = q6kWeights(w, b1 + 64L * half, b1 + 128 + 32L * half, b1 + 192 + 8L * half, d1, k, l)
                                .fma(xv, acc1);
                    }
                }
            }
        }
        out[0] = sum(acc0);
        out[1] = sum(acc1);
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
        FloatVector h = LANES == 16
                ? ((FloatVector) v.reinterpretShape(F256, 0)).add((FloatVector) v.reinterpretShape(F256, 1)) : v;
        FloatVector q = ((FloatVector) h.reinterpretShape(F128, 0)).add((FloatVector) h.reinterpretShape(F128, 1));
        return (q.lane(0) + q.lane(1)) + (q.lane(2) + q.lane(3));
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
