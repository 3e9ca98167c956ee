package io.cervella.core.chunk;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The 256 random 64-bit values of FastCDC's rolling hash, one per byte value, derived from a secret key
 * (docs/formats/vault.md, Chunks): {@code gear[i]} is the first 8 bytes, big-endian, of
 * HMAC-SHA256(key, label + i), the label naming the format ("cervella-vault gear "). Keyed, so that
 * chunk boundaries cannot be computed without the key. Devices receive the values, never the key.
 */
public final class GearTable {
    public static final int SIZE = 256;
    private final long[] values;

    private GearTable(long[] values) {
        this.values = values;
    }

    public static GearTable derive(byte[] key, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            long[] v = new long[SIZE];
            for (int i = 0; i < SIZE; i++) {
                byte[] out = mac.doFinal((label + i).getBytes(StandardCharsets.US_ASCII));
                v[i] = ByteBuffer.wrap(out, 0, 8).getLong();
            }
            return new GearTable(v);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }

    /** The table as the protocol sends it: 256 values, 8 bytes each big-endian, in base64. */
    public String toBase64() {
        ByteBuffer b = ByteBuffer.allocate(SIZE * 8);
        for (long v : values) {
            b.putLong(v);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    public static GearTable fromBase64(String text) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a gear table is base64: " + e.getMessage());
        }
        if (bytes.length != SIZE * 8) {
            throw new IllegalArgumentException("a gear table has " + SIZE * 8 + " bytes, not " + bytes.length);
        }
        long[] v = new long[SIZE];
        ByteBuffer.wrap(bytes).asLongBuffer().get(v);
        return new GearTable(v);
    }

    long get(int byteValue) {
        return values[byteValue];
    }
}
