package io.cervella.backup.pack;

import java.util.Arrays;
import java.util.HexFormat;

/** A blob's id: 32 bytes, HMAC-SHA256(id key, SHA-256(plaintext)). Hex in JSON. */
public record BlobId(byte[] bytes) implements Comparable<BlobId> {
    public BlobId {
        if (bytes.length != 32) {
            throw new IllegalArgumentException("a blob id is 32 bytes");
        }
        bytes = bytes.clone();
    }

    public static BlobId parse(String hex) {
        if (hex == null || !hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a blob id: " + hex);
        }
        return new BlobId(HexFormat.of().parseHex(hex));
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlobId b && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(BlobId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return hex().substring(0, 12);
    }
}
