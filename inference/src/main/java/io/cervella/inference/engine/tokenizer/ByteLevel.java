package io.cervella.inference.engine.tokenizer;

/**
 * The byte-level alphabet of GPT-2-style BPE vocabularies (Qwen, Llama 3): every byte has a printable
 * character standing for it, so that vocabulary entries are ordinary strings. Printable ASCII and most
 * of Latin-1 stand for themselves; the other 68 bytes map to U+0100 onwards, in byte order.
 */
public final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xff];
    }

    /** The byte a character stands for, or -1 when it is not part of the alphabet. */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    public static String encode(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xff];
        }
        return new String(out);
    }
}
