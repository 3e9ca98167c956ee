package io.cervella.vault.pack;

import com.google.crypto.tink.StreamingAead;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads packs back: the header (to rebuild an index, or to check a pack) and single chunks. Every
 * failure to authenticate is a {@link DamagedException} that says which pack and chunk.
 */
public final class PackReader {
    private final StreamingAead aead;

    public PackReader(StreamingAead aead) {
        this.aead = aead;
    }

    /** A pack or chunk whose bytes do not authenticate: bit rot, truncation, or a blob swapped in. */
    public static final class DamagedException extends IOException {
        public DamagedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The entries a whole pack's header lists. */
    public List<PackEntry> header(String name, byte[] pack) throws DamagedException {
        if (pack.length < 4) {
            throw new DamagedException("pack " + name + " is too short to hold a header", null);
        }
        int headerLength = headerLength(pack.length, Arrays.copyOfRange(pack, pack.length - 4, pack.length), name);
        int headerStart = pack.length - 4 - headerLength;
        return header(name, Arrays.copyOfRange(pack, headerStart, pack.length - 4), headerStart);
    }

    /** The header's length from a pack's last four bytes, checked against the pack's size. */
    public static int headerLength(long packSize, byte[] lastFour, String name) throws DamagedException {
        int headerLength = ByteBuffer.wrap(lastFour).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (headerLength <= 0 || packSize - 4 - headerLength < 0) {
            throw new DamagedException("pack " + name + " has a header length of " + headerLength + " that does not fit", null);
        }
        return headerLength;
    }

    /** The entries of a pack's header, given its ciphertext and where it starts (the end of the chunks). */
    public List<PackEntry> header(String name, byte[] headerCiphertext, long headerStart) throws DamagedException {
        byte[] header = decrypt(headerCiphertext, PackWriter.HEADER_AD, "the header of pack " + name);
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 5 || b.get() != PackWriter.HEADER_VERSION) {
            throw new DamagedException("pack " + name + " has a header of an unknown version", null);
        }
        int count = b.getInt();
        if (count < 0 || b.remaining() != count * 44L) {
            throw new DamagedException("pack " + name + " has a header whose entry count does not match its length", null);
        }
        List<PackEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] id = new byte[32];
            b.get(id);
            PackEntry e = new PackEntry(id, b.getInt(), b.getInt(), b.getInt());
            if (e.offset() < 0 || e.ciphertextLength() < 0 || (long) e.offset() + e.ciphertextLength() > headerStart) {
                throw new DamagedException("pack " + name + " lists a chunk outside its body", null);
            }
            entries.add(e);
        }
        return entries;
    }

    /** A chunk's plaintext from its ciphertext (the bytes at the entry's offset and length). */
    public byte[] chunk(String packName, PackEntry entry, byte[] ciphertext) throws DamagedException {
        byte[] decoded = decrypt(ciphertext, PackWriter.chunkAssociatedData(entry.chunkId()),
                "a chunk at " + entry.offset() + " in pack " + packName);
        if (decoded.length != entry.plaintextLength() + 1 || decoded[0] != PackWriter.ENCODING_RAW) {
            throw new DamagedException("a chunk at " + entry.offset() + " in pack " + packName + " has an unknown encoding"
                    + " or length", null);
        }
        return Arrays.copyOfRange(decoded, 1, decoded.length);
    }

    private byte[] decrypt(byte[] ciphertext, byte[] associatedData, String what) throws DamagedException {
        try (InputStream in = aead.newDecryptingStream(new ByteArrayInputStream(ciphertext), associatedData)) {
            return in.readAllBytes();
        } catch (GeneralSecurityException | IOException e) {
            throw new DamagedException(what + " does not authenticate (damaged, cut short, or not this vault's): "
                    + e.getMessage(), e);
        }
    }
}
