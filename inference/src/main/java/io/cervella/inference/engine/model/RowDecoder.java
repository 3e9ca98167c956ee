package io.cervella.inference.engine.model;

import static io.cervella.inference.engine.model.VectorDot.F;
import static io.cervella.inference.engine.model.VectorDot.LANES;
import static io.cervella.inference.engine.model.VectorDot.bytes;
import static io.cervella.inference.engine.model.VectorDot.f16;
import static io.cervella.inference.engine.model.VectorDot.high;
import static io.cervella.inference.engine.model.VectorDot.low;
import static io.cervella.inference.engine.model.VectorDot.widen;

import io.cervella.inference.engine.gguf.Dequantizer;
import io.cervella.inference.engine.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

/**
 * Decodes one weight row into floats, with the same arithmetic as {@link Dequantizer} (the results are
 * equal to the bit) but on vectors. A batch of prompt tokens decodes each row once and then multiplies
 * it with every token in float, so the decoding is paid once per batch instead of once per token.
 * Types without a vector form here are decoded by the scalar reference.
 */
final class RowDecoder {
    private RowDecoder() {}

    static void decode(GgmlType type, MemorySegment w, long row, float[] out, int n) {
        if (!VectorDot.supports(type)) {
            Dequantizer.dequantize(type, w, row * n, out, 0, n);
            return;
        }
        switch (type) {
            case F32 -> MemorySegment.copy(w, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
                    row * n * 4L, out, 0, n);
            case Q8_0 -> q8_0(w, row * (n / 32) * 34L, out, n);
            case Q4_0 -> q4_0(w, row * (n / 32) * 18L, out, n);
            case Q4_K -> q4_k(w, row * (n / 256) * 144L, out, n);
            case Q6_K -> q6_k(w, row * (n / 256) * 210L, out, n);
            default -> Dequantizer.dequantize(type, w, row * n, out, 0, n);
        }
    }

    private static void q8_0(MemorySegment w, long at, float[] out, int n) {
        for (int block = 0; block < n / 32; block++) {
            long b = at + block * 34L;
            FloatVector d = FloatVector.broadcast(F, f16(w, b));
            for (int part = 0; part < 32 / LANES; part++) {
                d.mul(widen(bytes(w, b + 2 + part * LANES))).intoArray(out, block * 32 + part * LANES);
            }
        }
    }

    private static void q4_0(MemorySegment w, long at, float[] out, int n) {
        for (int block = 0; block < n / 32; block++) {
            long b = at + block * 18L;
            FloatVector d = FloatVector.broadcast(F, f16(w, b));
            for (int part = 0; part < 16 / LANES; part++) {
                ByteVector q = bytes(w, b + 2 + part * LANES);
                int o = block * 32 + part * LANES;
                d.mul(widen(low(q).sub((byte) 8))).intoArray(out, o);
                d.mul(widen(high(q).sub((byte) 8))).intoArray(out, o + 16);
            }
        }
    }

    private static void q4_k(MemorySegment w, long at, float[] out, int n) {
        for (int sb = 0; sb < n / 256; sb++) {
            long b = at + sb * 144L;
            float d = f16(w, b);
            float dmin = f16(w, b + 2);
            long scales = b + 4;
            long qs = b + 16;
            for (int pair = 0; pair < 4; pair++) {
                int j = pair * 2;
                FloatVector d1 = FloatVector.broadcast(F, d * Dequantizer.q4kScale(w, scales, j));
                FloatVector m1 = FloatVector.broadcast(F, dmin * Dequantizer.q4kMin(w, scales, j));
                FloatVector d2 = FloatVector.broadcast(F, d * Dequantizer.q4kScale(w, scales, j + 1));
                FloatVector m2 = FloatVector.broadcast(F, dmin * Dequantizer.q4kMin(w, scales, j + 1));
                for (int part = 0; part < 32 / LANES; part++) {
                    ByteVector q = bytes(w, qs + pair * 32L + part * LANES);
                    int o = sb * 256 + pair * 64 + part * LANES;
                    widen(low(q)).mul(d1).sub(m1).intoArray(out, o);
                    widen(high(q)).mul(d2).sub(m2).intoArray(out, o + 32);
                }
            }
        }
    }

    private static void q6_k(MemorySegment w, long at, float[] out, int n) {
        for (int sb = 0; sb < n / 256; sb++) {
            long b = at + sb * 210L;
            float d = f16(w, b + 208);
            for (int half = 0; half < 2; half++) {
                int base = sb * 256 + 128 * half;
                for (int k = 0; k < 4; k++) {
                    for (int l = 0; l < 32; l += LANES) {
                        VectorDot.q6kWeights(w, b + 64L * half, b + 128 + 32L * half, b + 192 + 8L * half, d, k, l)
                                .intoArray(out, base + 32 * k + l);
                    }
                }
            }
        }
    }
}
