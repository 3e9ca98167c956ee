package io.cervella.inference.engine.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes floats into a tensor type's blocks (docs/formats/gguf.md). Used by {@code cervella model
 * synth} and by tests; the K-quant encoders are simple round-to-nearest ones, not llama.cpp's
 * error-minimising search: any valid encoding makes a valid file, and these keep the error small.
 */
public final class Quantizer {
    private Quantizer() {}

    public static byte[] quantize(GgmlType type, float[] x) {
        if (x.length % type.blockSize != 0) {
            throw new IllegalArgumentException(x.length + " values are not whole " + type + " blocks");
        }
        ByteBuffer out = ByteBuffer.allocate((int) type.bytesFor(x.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (int b = 0; b < x.length; b += type.blockSize) {
            switch (type) {
                case F32 -> out.putFloat(x[b]);
                case F16 -> out.putShort(Float.floatToFloat16(x[b]));
                case BF16 -> out.putShort(bf16(x[b]));
                case Q8_0 -> q8_0(x, b, out);
                case Q4_0 -> q4_0(x, b, out);
                case Q4_K -> q4_k(x, b, out);
                case Q6_K -> q6_k(x, b, out);
                default -> throw new IllegalArgumentException(type + " is not supported");
            }
        }
        return out.array();
    }

    /** Round to nearest even, keeping NaN a NaN. */
    static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    private static void q8_0(float[] x, int b, ByteBuffer out) {
        float amax = 0;
        for (int i = 0; i < 32; i++) {
            amax = Math.max(amax, Math.abs(x[b + i]));
        }
        float d = amax / 127f;
        float id = d != 0 ? 1f / d : 0f;
        out.putShort(Float.floatToFloat16(d));
        for (int i = 0; i < 32; i++) {
            out.put((byte) Math.round(x[b + i] * id));
        }
    }

    private static void q4_0(float[] x, int b, ByteBuffer out) {
        float amax = 0;
        float max = 0;
        for (int i = 0; i < 32; i++) {
            float v = x[b + i];
            if (Math.abs(v) > amax) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8f;
        float id = d != 0 ? 1f / d : 0f;
        out.putShort(Float.floatToFloat16(d));
        for (int i = 0; i < 16; i++) {
            int lo = Math.min(15, (int) (x[b + i] * id + 8.5f));
            int hi = Math.min(15, (int) (x[b + i + 16] * id + 8.5f));
            out.put((byte) (lo | (hi << 4)));
        }
    }

    private static void q4_k(float[] x, int b, ByteBuffer out) {
        float[] scale = new float[8];
        float[] offset = new float[8];
        for (int j = 0; j < 8; j++) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int l = 0; l < 32; l++) {
                min = Math.min(min, x[b + 32 * j + l]);
                max = Math.max(max, x[b + 32 * j + l]);
            }
            min = Math.min(min, 0f); // the format subtracts a non-negative offset
            scale[j] = (max - min) / 15f;
            offset[j] = -min;
        }
        float maxScale = 0;
        float maxOffset = 0;
        for (int j = 0; j < 8; j++) {
            maxScale = Math.max(maxScale, scale[j]);
            maxOffset = Math.max(maxOffset, offset[j]);
        }
        short dBits = Float.floatToFloat16(maxScale / 63f);
        short dminBits = Float.floatToFloat16(maxOffset / 63f);
        float d = Float.float16ToFloat(dBits);
        float dmin = Float.float16ToFloat(dminBits);
        int[] sc = new int[8];
        int[] mn = new int[8];
        for (int j = 0; j < 8; j++) {
            sc[j] = d > 0 ? Math.clamp(Math.round(scale[j] / d), 0, 63) : 0;
            mn[j] = dmin > 0 ? Math.clamp(Math.round(offset[j] / dmin), 0, 63) : 0;
        }
        out.putShort(dBits);
        out.putShort(dminBits);
        byte[] s = new byte[12];
        for (int j = 0; j < 4; j++) {
            s[j] = (byte) (sc[j] | ((sc[j + 4] >>> 4) << 6));
            s[j + 4] = (byte) (mn[j] | ((mn[j + 4] >>> 4) << 6));
            s[j + 8] = (byte) ((sc[j + 4] & 0x0f) | ((mn[j + 4] & 0x0f) << 4));
        }
        out.put(s);
        int[] q = new int[256];
        for (int j = 0; j < 8; j++) {
            float step = d * sc[j];
            float off = dmin * mn[j];
            for (int l = 0; l < 32; l++) {
                q[32 * j + l] = step > 0 ? Math.clamp(Math.round((x[b + 32 * j + l] + off) / step), 0, 15) : 0;
            }
        }
        for (int pair = 0; pair < 4; pair++) {
            for (int l = 0; l < 32; l++) {
                out.put((byte) (q[64 * pair + l] | (q[64 * pair + 32 + l] << 4)));
            }
        }
    }

    private static void q6_k(float[] x, int b, ByteBuffer out) {
        float[] scale = new float[16];
        float maxScale = 0;
        for (int j = 0; j < 16; j++) {
            float amax = 0;
            for (int l = 0; l < 16; l++) {
                amax = Math.max(amax, Math.abs(x[b + 16 * j + l]));
            }
            scale[j] = amax / 31f;
            maxScale = Math.max(maxScale, scale[j]);
        }
        short dBits = Float.floatToFloat16(maxScale / 127f);
        float d = Float.float16ToFloat(dBits);
        int[] sc = new int[16];
        int[] u = new int[256];
        for (int j = 0; j < 16; j++) {
            sc[j] = d > 0 ? Math.clamp(Math.round(scale[j] / d), 0, 127) : 0;
            float step = d * sc[j];
            for (int l = 0; l < 16; l++) {
                int q = step > 0 ? Math.clamp(Math.round(x[b + 16 * j + l] / step), -32, 31) : 0;
                u[16 * j + l] = q + 32;
            }
        }
        byte[] ql = new byte[128];
        byte[] qh = new byte[64];
        for (int half = 0; half < 2; half++) {
            for (int l = 0; l < 32; l++) {
                int e = 128 * half;
                int u0 = u[e + l];
                int u1 = u[e + l + 32];
                int u2 = u[e + l + 64];
                int u3 = u[e + l + 96];
                ql[64 * half + l] = (byte) ((u0 & 0x0f) | ((u2 & 0x0f) << 4));
                ql[64 * half + l + 32] = (byte) ((u1 & 0x0f) | ((u3 & 0x0f) << 4));
                qh[32 * half + l] = (byte) ((u0 >>> 4) | ((u1 >>> 4) << 2) | ((u2 >>> 4) << 4) | ((u3 >>> 4) << 6));
            }
        }
        out.put(ql);
        out.put(qh);
        for (int j = 0; j < 16; j++) {
            out.put((byte) sc[j]);
        }
        out.putShort(dBits);
    }
}
