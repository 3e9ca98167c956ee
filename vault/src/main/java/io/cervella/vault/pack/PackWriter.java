package io.cervella.vault.pack;

import io.cervella.vault.keys.VaultAead;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds one pack (docs/formats/vault.md, Packs): each chunk encrypted on its own with the streaming
 * AEAD, bound to its id by the associated data, then the encrypted header that lists them, then the
 * header's length. The pack is named by the SHA-256 of its bytes.
 */
public final class PackWriter {
    /** A pack is closed once it holds this much (or at the end of a commit). */
    public static final int TARGET_BYTES = 16 * 1024 * 1024;
    static final byte ENCODING_RAW = 0;
    static final String CHUNK_AD = "cervella-vault chunk ";
    static final byte[] HEADER_AD = "cervella-vault pack header".getBytes(StandardCharsets.US_ASCII);
    static final byte HEADER_VERSION = 1;

    private final VaultAead aead;
    /** The chunks' ciphertexts, back to back: one buffer, copied once when the pack is finished. */
    private byte[] body = new byte[TARGET_BYTES + 512 * 1024];
    private int length;
    private final List<PackEntry> entries = new ArrayList<>();

    public PackWriter(VaultAead aead) {
        this.aead = aead;
    }

    static byte[] chunkAssociatedData(byte[] chunkId) {
        byte[] prefix = CHUNK_AD.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(prefix.length + chunkId.length).put(prefix).put(chunkId).array();
    }

    /** A chunk encrypted for a pack, bound to its id; made outside any lock (the AEAD is thread-safe). */
    public record SealedChunk(byte[] chunkId, byte[] ciphertext, int plaintextLength) {}

    public static SealedChunk seal(VaultAead aead, byte[] chunkId, byte[] plaintext) {
        return new SealedChunk(chunkId, aead.seal(chunkAssociatedData(chunkId), RAW, plaintext), plaintext.length);
    }

    private static final byte[] RAW = {ENCODING_RAW};

    /** Appends a chunk (its id: the keyed hash; its plaintext). */
    public void add(byte[] chunkId, byte[] plaintext) {
        add(seal(aead, chunkId, plaintext));
    }

    /** Appends a chunk sealed already. */
    public void add(SealedChunk chunk) {
        byte[] c = chunk.ciphertext();
        if (length + c.length > body.length) {
            body = java.util.Arrays.copyOf(body, Math.max(body.length * 2, length + c.length));
        }
        System.arraycopy(c, 0, body, length, c.length);
        entries.add(new PackEntry(chunk.chunkId(), length, c.length, chunk.plaintextLength()));
        length += c.length;
    }

    public int size() {
        return length;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public List<PackEntry> entries() {
        return List.copyOf(entries);
    }

    /** The finished pack: its name (hex SHA-256 of the bytes), bytes and entries. */
    public record Pack(String name, byte[] bytes, List<PackEntry> entries) {
        /** Where the blob store keeps it. */
        public String blobName() {
            return "packs/" + name.substring(0, 2) + "/" + name;
        }
    }

    /** The pack's bytes: the chunks, the encrypted header, its length. Does not change the writer (a failed write is retried). */
    public Pack finish() {
        ByteBuffer header = ByteBuffer.allocate(1 + 4 + entries.size() * 44).order(ByteOrder.LITTLE_ENDIAN);
        header.put(HEADER_VERSION).putInt(entries.size());
        for (PackEntry e : entries) {
            header.put(e.chunkId()).putInt(e.offset()).putInt(e.ciphertextLength()).putInt(e.plaintextLength());
        }
        byte[] sealedHeader = aead.seal(HEADER_AD, header.array());
        int headerLength = sealedHeader.length;
        byte[] bytes = java.util.Arrays.copyOf(body, length + headerLength + 4);
        System.arraycopy(sealedHeader, 0, bytes, length, headerLength);
        ByteBuffer.wrap(bytes, length + headerLength, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(headerLength);
        return new Pack(sha256(bytes), bytes, List.copyOf(entries));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
