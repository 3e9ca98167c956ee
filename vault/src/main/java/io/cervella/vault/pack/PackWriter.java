package io.cervella.vault.pack;

import com.google.crypto.tink.StreamingAead;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
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

    private final StreamingAead aead;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final List<PackEntry> entries = new ArrayList<>();

    public PackWriter(StreamingAead aead) {
        this.aead = aead;
    }

    static byte[] chunkAssociatedData(byte[] chunkId) {
        byte[] prefix = CHUNK_AD.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(prefix.length + chunkId.length).put(prefix).put(chunkId).array();
    }

    /** Appends a chunk (its id: the keyed hash; its plaintext). */
    public void add(byte[] chunkId, byte[] plaintext) {
        int offset = body.size();
        try (OutputStream enc = aead.newEncryptingStream(body, chunkAssociatedData(chunkId))) {
            enc.write(ENCODING_RAW);
            enc.write(plaintext);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot encrypt a chunk: " + e.getMessage(), e);
        }
        entries.add(new PackEntry(chunkId, offset, body.size() - offset, plaintext.length));
    }

    public int size() {
        return body.size();
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

    public Pack finish() {
        ByteBuffer header = ByteBuffer.allocate(1 + 4 + entries.size() * 44).order(ByteOrder.LITTLE_ENDIAN);
        header.put(HEADER_VERSION).putInt(entries.size());
        for (PackEntry e : entries) {
            header.put(e.chunkId()).putInt(e.offset()).putInt(e.ciphertextLength()).putInt(e.plaintextLength());
        }
        ByteArrayOutputStream pack = new ByteArrayOutputStream(body.size() + header.capacity() + 128);
        pack.writeBytes(body.toByteArray());
        int headerStart = pack.size();
        try (OutputStream enc = aead.newEncryptingStream(pack, HEADER_AD)) {
            enc.write(header.array());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot encrypt a pack header: " + e.getMessage(), e);
        }
        int headerLength = pack.size() - headerStart;
        pack.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(headerLength).array());
        byte[] bytes = pack.toByteArray();
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
