package io.cervella.inference.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns a stream of tokens into text without ever emitting half a UTF-8 character: bytes of an
 * unfinished character wait for the next token. Bytes that can never form a character (a model can
 * produce any byte sequence) come out as U+FFFD, so nothing waits forever.
 */
public final class StreamDecoder {
    private final Tokenizer tokenizer;
    private final boolean includeControl;
    private byte[] pending = new byte[0];

    public StreamDecoder(Tokenizer tokenizer, boolean includeControl) {
        this.tokenizer = tokenizer;
        this.includeControl = includeControl;
    }

    /** The text that token completes (possibly empty). */
    public String next(int tokenId) {
        if (!includeControl && tokenizer.type(tokenId) == Tokenizer.TYPE_CONTROL) {
            return "";
        }
        byte[] add = tokenizer.bytes(tokenId);
        byte[] all = new byte[pending.length + add.length];
        System.arraycopy(pending, 0, all, 0, pending.length);
        System.arraycopy(add, 0, all, pending.length, add.length);
        return drain(all, false);
    }

    /** What is left at the end of the stream (an unfinished character becomes U+FFFD). */
    public String finish() {
        String s = drain(pending, true);
        pending = new byte[0];
        return s;
    }

    private String drain(byte[] b, boolean atEnd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 3);
        int i = 0;
        while (i < b.length) {
            int lead = b[i] & 0xff;
            int len = lead < 0x80 ? 1 : lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                    : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
            if (len == 0) {
                out.writeBytes(REPLACEMENT);
                i++;
                continue;
            }
            int have = Math.min(len, b.length - i);
            int valid = 1;
            while (valid < have && isContinuation(b, i, valid)) {
                valid++;
            }
            if (valid < have) {
                out.writeBytes(REPLACEMENT); // broken sequence: replace its lead, go on from the next byte
                i++;
                continue;
            }
            if (have < len) {
                if (atEnd) {
                    out.writeBytes(REPLACEMENT);
                    i = b.length;
                    break;
                }
                break; // a character still arriving
            }
            out.write(b, i, len);
            i += len;
        }
        pending = java.util.Arrays.copyOfRange(b, i, b.length);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Byte k of the sequence at i is a continuation byte allowed at that place (no overlongs, no surrogates). */
    private static boolean isContinuation(byte[] b, int i, int k) {
        int c = b[i + k] & 0xff;
        if ((c & 0xC0) != 0x80) {
            return false;
        }
        if (k == 1) {
            int lead = b[i] & 0xff;
            if (lead == 0xE0) {
                return c >= 0xA0;
            }
            if (lead == 0xED) {
                return c <= 0x9F;
            }
            if (lead == 0xF0) {
                return c >= 0x90;
            }
            if (lead == 0xF4) {
                return c <= 0x8F;
            }
        }
        return true;
    }

    private static final byte[] REPLACEMENT = "\uFFFD".getBytes(StandardCharsets.UTF_8);
}
