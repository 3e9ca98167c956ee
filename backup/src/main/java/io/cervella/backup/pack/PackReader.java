package io.cervella.backup.pack;

import io.cervella.backup.repo.RepositoryKeys;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Reads a pack's header (from its tail) and its blobs, checking every tag. */
public final class PackReader {
    private PackReader() {}

    /** The header's length, from the pack's last four bytes. */
    public static int headerLength(byte[] tail4) {
        return ByteBuffer.wrap(tail4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** The entries of a pack from its sealed header. */
    public static List<PackEntry> entries(RepositoryKeys keys, byte[] sealedHeader, long packLength)
            throws RepositoryKeys.DamagedException {
        byte[] plain = keys.open("pack header", sealedHeader);
        ByteBuffer b = ByteBuffer.wrap(plain).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 5 || b.get() != PackBuilder.HEADER_VERSION) {
            throw new RepositoryKeys.DamagedException("unknown pack header version");
        }
        int count = b.getInt();
        if (count < 0 || count != b.remaining() / PackBuilder.ENTRY_BYTES || b.remaining() % PackBuilder.ENTRY_BYTES != 0) {
            throw new RepositoryKeys.DamagedException("the pack header's length does not match its count");
        }
        List<PackEntry> out = new ArrayList<>(count);
        long bodyEnd = packLength - sealedHeader.length - 4;
        for (int i = 0; i < count; i++) {
            BlobType type;
            try {
                type = BlobType.of(b.get());
            } catch (IllegalArgumentException e) {
                throw new RepositoryKeys.DamagedException(e.getMessage());
            }
            byte[] id = new byte[32];
            b.get(id);
            PackEntry e = new PackEntry(type, new BlobId(id), b.getInt(), b.getInt(), b.getInt());
            if (e.offset() < 0 || e.length() < RepositoryKeys.OVERHEAD || (long) e.offset() + e.length() > bodyEnd
                    || e.plainLength() != e.length() - RepositoryKeys.OVERHEAD) {
                throw new RepositoryKeys.DamagedException("the pack header lists a blob outside the pack");
            }
            out.add(e);
        }
        return out;
    }

    /** The entries of a whole pack in memory. */
    public static List<PackEntry> entries(RepositoryKeys keys, byte[] pack) throws RepositoryKeys.DamagedException {
        if (pack.length < 4) {
            throw new RepositoryKeys.DamagedException("too short to be a pack");
        }
        int headerLength = ByteBuffer.wrap(pack, pack.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (headerLength < RepositoryKeys.OVERHEAD || headerLength > pack.length - 4) {
            throw new RepositoryKeys.DamagedException("the pack's header length is out of range");
        }
        byte[] header = java.util.Arrays.copyOfRange(pack, pack.length - 4 - headerLength, pack.length - 4);
        return entries(keys, header, pack.length);
    }

    /** A blob's plaintext from its sealed bytes. */
    public static byte[] open(RepositoryKeys keys, PackEntry e, byte[] sealed, int offset) throws RepositoryKeys.DamagedException {
        return keys.open(PackBuilder.blobKind(e.id()), sealed, offset, e.length());
    }
}
