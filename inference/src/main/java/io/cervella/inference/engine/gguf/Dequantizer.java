package io.cervella.inference.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Turns tensor bytes back into floats, one block layout at a time, exactly as docs/formats/gguf.md
 * describes them. Plain scalar code: it is the reference the engine's SIMD kernels are tested against.
 */
public final class Dequantizer {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Dequantizer() {}

    /**
     * Decodes {@code count} elements starting at element {@code first} of a tensor's bytes into
     * {@code out[outOffset..]}. {@code first} and {@code count} must fall on block boundaries.
     */
    public static void dequantize(GgmlType type, MemorySegment data, long first, float[] out, int outOffset, int count) {
        if (first % type.blockSize != 0 || count % type.blockSize != 0) {
            throw new IllegalArgumentException(type + ": " + first + "+" + count + " is not on block boundaries");
        }
        long block = first / type.blockSize;
        int blocks = count / type.blockSize;
        for (int b = 0; b < blocks; b++) {
            long at = (block + b) * type.blockBytes;
            int o = outOffset + b * type.blockSize;
            switch (type) {
                case F32 -> out[o] = data.get(F32, at);
                case F16 -> out[o] = f16(data, at);
                case BF16 -> out[o] = Float.intBitsToFloat((data.get(I16, at) & 0xffff) << 16);
                case Q8_0 -> q8_0(data, at, out, o);
                case Q4_0 -> q4_0(data, at, out, o);
                case Q4_K -> q4_k(data, at, out, o);
                case Q6_K -> q6_k(data, at, out, o);
                default -> throw new IllegalArgumentException(type + " is not supported");
            }
        }
    }

    /** A whole tensor as floats (for small tensors: norms, tests). */
    public static float[] dequantize(GgufTensor t) {
        long n = t.elements();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(t + " is too large to decode at once");
        }
        float[] out = new float[(int) n];
        dequantize(t.type(), t.data(), 0, out, 0, (int) n);
        return out;
    }

    static float f16(MemorySegment data, long at) {
        return Float.float16ToFloat(data.get(I16, at));
    }

    private static int u8(MemorySegment data, long at) {
        return data.get(ValueLayout.JAVA_BYTE, at) & 0xff;
    }

    private static void q8_0(MemorySegment data, long at, float[] out, int o) {
        float d = f16(data, at);
        for (int i = 0; i < 32; i++) {
            out[o + i] = d * data.get(ValueLayout.JAVA_BYTE, at + 2 + i);
        }
    }

    private static void q4_0(MemorySegment data, long at, float[] out, int o) {
        float d = f16(data, at);
        for (int i = 0; i < 16; i++) {
            int q = u8(data, at + 2 + i);
            out[o + i] = d * ((q & 0x0f) - 8);
            out[o + i + 16] = d * ((q >>> 4) - 8);
        }
    }

    /** Scale and min of Q4_K sub-block j from the 12 packed bytes at {@code s}. */
    public static int q4kScale(MemorySegment data, long s, int j) {
        return j < 4 ? u8(data, s + j) & 63 : (u8(data, s + j + 4) & 0x0f) | ((u8(data, s + j - 4) >>> 6) << 4);
    }

    public static int q4kMin(MemorySegment data, long s, int j) {
        return j < 4 ? u8(data, s + j + 4) & 63 : (u8(data, s + j + 4) >>> 4) | ((u8(data, s + j) >>> 6) << 4);
    }

    private static void q4_k(MemorySegment data, long at, float[] out, int o) {
        float d = f16(data, at);
        float dmin = f16(data, at + 2);
        long scales = at + 4;
        long qs = at + 16;
        for (int pair = 0; pair < 4; pair++) {
            int j = pair * 2;
            float d1 = d * q4kScale(data, scales, j);
            float m1 = dmin * q4kMin(data, scales, j);
            float d2 = d * q4kScale(data, scales, j + 1);
            float m2 = dmin * q4kMin(data, scales, j + 1);
            for (int l = 0; l < 32; l++) {
                int q = u8(data, qs + pair * 32 + l);
                out[o + pair * 64 + l] = d1 * (q & 0x0f) - m1;
                out[o + pair * 64 + 32 + l] = d2 * (q >>> 4) - m2;
            }
        }
    }

    private static void q6_k(MemorySegment data, long at, float[] out, int o) {
        long ql = at;
        long qh = at + 128;
        long sc = at + 192;
        float d = f16(data, at + 208);
        for (int half = 0; half < 2; half++) {
            long l0 = ql + 64L * half;
            long h0 = qh + 32L * half;
            long s0 = sc + 8L * half;
            int base = o + 128 * half;
            for (int l = 0; l < 32; l++) {
                int h = u8(data, h0 + l);
                int q1 = ((u8(data, l0 + l) & 0x0f) | ((h & 3) << 4)) - 32;
                int q2 = ((u8(data, l0 + l + 32) & 0x0f) | (((h >>> 2) & 3) << 4)) - 32;
                int q3 = ((u8(data, l0 + l) >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                int q4 = ((u8(data, l0 + l + 32) >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                int is = l / 16;
                out[base + l] = d * data.get(ValueLayout.JAVA_BYTE, s0 + is) * q1;
                out[base + l + 32] = d * data.get(ValueLayout.JAVA_BYTE, s0 + is + 2) * q2;
                out[base + l + 64] = d * data.get(ValueLayout.JAVA_BYTE, s0 + is + 4) * q3;
                out[base + l + 96] = d * data.get(ValueLayout.JAVA_BYTE, s0 + is + 6) * q4;
            }
        }
    }
}
