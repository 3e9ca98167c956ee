package io.cervella.backup.pack;

import io.cervella.backup.repo.RepositoryKeys;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds one pack (docs/formats/backup.md, Packs): blobs sealed one by one, then the sealed header that
 * lists them, then its length. Named by the SHA-256 of its bytes.
 */
public final class PackBuilder {
    /** A pack is closed once it holds this much. */
    public static final int TARGET_BYTES = 16 * 1024 * 1024;
    static final byte HEADER_VERSION = 1;
    static final int ENTRY_BYTES = 1 + 32 + 4 + 4 + 4;

    private final RepositoryKeys keys;
    private final BlobType type;
    /** The sealed blobs, copied once into the pack at finish (a growing buffer copied them again and again). */
    private final List<byte[]> sealed = new ArrayList<>();
    private int length;
    private final List<PackEntry> entries = new ArrayList<>();

    /** A finished pack: its name (SHA-256, hex), its bytes and what it holds. */
    public record Pack(String id, byte[] bytes, List<PackEntry> entries) {
        public String blobName() {
            return blobName(id);
        }

        public static String blobName(String id) {
            return "data/" + id.substring(0, 2) + "/" + id;
        }
    }

    public PackBuilder(RepositoryKeys keys, BlobType type) {
        this.keys = keys;
        this.type = type;
    }

    public static String blobKind(BlobId id) {
        return "blob " + id.hex();
    }

    /** Seals and appends a blob. */
    public void add(BlobId id, byte[] plaintext, int offset, int plainLength) {
        byte[] blob = keys.seal(blobKind(id), plaintext, offset, plainLength);
        sealed.add(blob);
        entries.add(new PackEntry(type, id, length, blob.length, plainLength));
        length += blob.length;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public boolean isFull() {
        return length >= TARGET_BYTES;
    }

    /** The pack's bytes. */
    public Pack finish() {
        ByteBuffer header = ByteBuffer.allocate(1 + 4 + entries.size() * ENTRY_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.put(HEADER_VERSION).putInt(entries.size());
        for (PackEntry e : entries) {
            header.put((byte) e.type().code).put(e.id().bytes()).putInt(e.offset()).putInt(e.length()).putInt(e.plainLength());
        }
        byte[] sealedHeader = keys.seal("pack header", header.array());
        byte[] bytes = new byte[length + sealedHeader.length + 4];
        int at = 0;
        for (byte[] blob : sealed) {
            System.arraycopy(blob, 0, bytes, at, blob.length);
            at += blob.length;
        }
        System.arraycopy(sealedHeader, 0, bytes, length, sealedHeader.length);
        ByteBuffer.wrap(bytes, length + sealedHeader.length, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(sealedHeader.length);
        return new Pack(sha256(bytes), bytes, List.copyOf(entries));
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
