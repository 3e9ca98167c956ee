package io.cervella.inference.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Single blocks written by hand from docs/formats/gguf.md and decoded: the layouts, not only the
 * round trip (an encoder and a decoder sharing one mistake would pass a round trip).
 */
class BlockLayoutTest {
    private static float[] decode(GgmlType type, byte[] block) {
        float[] out = new float[type.blockSize];
        Dequantizer.dequantize(type, MemorySegment.ofArray(block), 0, out, 0, type.blockSize);
        return out;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void q4_0LowNibblesFirstHalfHighNibblesSecond() {
        ByteBuffer b = le(18).putShort(Float.floatToFloat16(0.5f));
        b.put((byte) 0x9A); // element 0: 0xA - 8 = 2; element 16: 0x9 - 8 = 1
        for (int i = 1; i < 16; i++) {
            b.put((byte) 0x08);
        }
        float[] x = decode(GgmlType.Q4_0, b.array());
        assertThat(x[0]).isEqualTo(1.0f);
        assertThat(x[16]).isEqualTo(0.5f);
        assertThat(x[1]).isEqualTo(0f);
        assertThat(x[17]).isEqualTo(-4.0f); // high nibble 0 - 8, times 0.5
    }

    @Test
    void q8_0IsScaleTimesSignedBytes() {
        ByteBuffer b = le(34).putShort(Float.floatToFloat16(0.25f));
        for (int i = 0; i < 32; i++) {
            b.put((byte) (i - 16));
        }
        float[] x = decode(GgmlType.Q8_0, b.array());
        assertThat(x[0]).isEqualTo(-4f);
        assertThat(x[31]).isEqualTo(3.75f);
    }

    @Test
    void q4_kScalesMinsAndNibbles() {
        // d = 1, dmin = 0.5; sub-block 0: scale 3, min 2; sub-block 5: scale 17 (needs the high bits), min 33.
        int[] sc = {3, 1, 1, 1, 1, 17, 1, 1};
        int[] mn = {2, 0, 0, 0, 0, 33, 0, 0};
        byte[] s = new byte[12];
        for (int j = 0; j < 4; j++) {
            s[j] = (byte) (sc[j] | ((sc[j + 4] >> 4) << 6));
            s[j + 4] = (byte) (mn[j] | ((mn[j + 4] >> 4) << 6));
            s[j + 8] = (byte) ((sc[j + 4] & 15) | ((mn[j + 4] & 15) << 4));
        }
        ByteBuffer b = le(144).putShort(Float.floatToFloat16(1f)).putShort(Float.floatToFloat16(0.5f)).put(s);
        byte[] qs = new byte[128];
        qs[0] = (byte) 0x5B;  // element 0 (sub-block 0) = 0xB; element 32 (sub-block 1) = 0x5
        qs[64 + 7] = (byte) 0xC0; // bytes 64..95 hold sub-blocks 4 (low) and 5 (high): element 128+32+7 = 0xC
        b.put(qs);
        float[] x = decode(GgmlType.Q4_K, b.array());
        assertThat(x[0]).isEqualTo(3 * 11 - 0.5f * 2);
        assertThat(x[32]).isEqualTo(1 * 5 - 0f);
        assertThat(x[128 + 32 + 7]).isEqualTo(17 * 12 - 0.5f * 33);
        assertThat(x[128 + 7]).isEqualTo(0f); // sub-block 4, nibble 0, min 0
    }

    @Test
    void q6_kLowBitsHighBitsAndScales() {
        ByteBuffer b = le(210);
        byte[] ql = new byte[128];
        byte[] qh = new byte[64];
        byte[] scales = new byte[16];
        ql[0] = 0x21;                  // element 0 low nibble 1, element 64 low nibble 2
        ql[32] = 0x43;                 // element 32 low nibble 3, element 96 low nibble 4
        qh[0] = (byte) 0b11_10_01_00;  // high bits: element 0 → 0, 32 → 1, 64 → 2, 96 → 3
        ql[64 + 5] = 0x0F;             // second half, element 128+5
        qh[32 + 5] = 0b10;             // its high bits: 2
        for (int j = 0; j < 16; j++) {
            scales[j] = (byte) (j + 1);
        }
        b.put(ql).put(qh).put(scales).putShort(Float.floatToFloat16(0.5f));
        float[] x = decode(GgmlType.Q6_K, b.array());
        assertThat(x[0]).isEqualTo(0.5f * 1 * ((1 | 0 << 4) - 32));
        assertThat(x[32]).isEqualTo(0.5f * 3 * ((3 | 1 << 4) - 32));
        assertThat(x[64]).isEqualTo(0.5f * 5 * ((2 | 2 << 4) - 32));
        assertThat(x[96]).isEqualTo(0.5f * 7 * ((4 | 3 << 4) - 32));
        assertThat(x[128 + 5]).isEqualTo(0.5f * 9 * ((15 | 2 << 4) - 32));
    }

    @Test
    void halfAndBrainFloat() {
        assertThat(decode(GgmlType.F16, le(2).putShort(Float.floatToFloat16(-2.5f)).array())[0]).isEqualTo(-2.5f);
        assertThat(decode(GgmlType.BF16, le(2).putShort((short) 0x3fc0).array())[0]).isEqualTo(1.5f);
        assertThat(Quantizer.bf16(1.5f)).isEqualTo((short) 0x3fc0);
        assertThat(Float.isNaN(decode(GgmlType.BF16, le(2).putShort(Quantizer.bf16(Float.NaN)).array())[0])).isTrue();
    }
}
