package io.cervella.vault.client;

import io.cervella.core.chunk.ContentChunker;
import io.cervella.vault.tree.VaultPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A local file cut into chunks as the vault cuts it: the whole file's SHA-256 and its chunks' hashes
 * in order, and, when asked, the chunks' bytes: either in {@code bytes} by hash, or, for a file read
 * into a group's buffer ({@link #readInto}), as {@code data} from {@code dataOffset} on, chunk after
 * chunk with the sizes {@code chunkSizes}. A file that changed while it was read is refused.
 */
record HashedFile(VaultPath path, Path file, long size, long mtimeNanos, String contentHash, List<String> chunks,
                  Map<String, byte[]> bytes, byte[] data, int dataOffset, int[] chunkSizes) {

    /** The file changed between the stat before reading it and the one after. */
    static final class ChangedWhileReadException extends IOException {
        ChangedWhileReadException(VaultPath path) {
            super(path + ": changed while it was read; it is synced when it settles");
        }
    }

    /** A file that could not be sent after all: left out of the commit. */
    static HashedFile dropped(Path file) {
        return new HashedFile(null, file, 0, 0, "", List.of(), Map.of(), null, 0, null);
    }

    /** Whether the bytes of every chunk are at hand. */
    boolean held() {
        return data != null;
    }

    /**
     * Reads the file as a stream; keeps the bytes of the chunks in {@code keep} (all of them when
     * {@code keepAll}).
     */
    static HashedFile read(ContentChunker chunker, LocalFiles.Found found, boolean keepAll, Set<String> keep,
                           SyncProgress progress) throws IOException {
        MessageDigest each = sha256();
        // most files are one chunk, whose hash is the file's: the second digest starts at a second chunk
        MessageDigest whole = null;
        byte[] firstChunk = null;
        byte[] firstHash = null;
        List<String> hashes = new ArrayList<>();
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        long read = 0;
        try (InputStream in = Files.newInputStream(found.file())) {
            ContentChunker.Reader r = chunker.reader(in, found.size());
            for (byte[] c; (c = r.next()) != null; ) {
                byte[] digest = each.digest(c);
                if (firstChunk == null) {
                    firstChunk = c;
                    firstHash = digest;
                } else {
                    if (whole == null) {
                        whole = sha256();
                        whole.update(firstChunk);
                    }
                    whole.update(c);
                }
                String h = HexFormat.of().formatHex(digest);
                hashes.add(h);
                if (keepAll || keep != null && keep.contains(h)) {
                    bytes.putIfAbsent(h, c);
                }
                read += c.length;
                progress.advance(c.length, found.path().value());
            }
        }
        checkUnchanged(found, read);
        return new HashedFile(found.path(), found.file(), found.size(), found.mtimeNanos(),
                HexFormat.of().formatHex(whole != null ? whole.digest() : firstHash != null ? firstHash : each.digest()),
                List.copyOf(hashes), bytes, null, 0, null);
    }

    /**
     * Reads the whole file into {@code buffer} at {@code offset} (room for its size as scanned) and cuts
     * it there: no copy per chunk, and the buffer, one large array for a group of files, is never moved
     * by the collector.
     */
    static HashedFile readInto(ContentChunker chunker, LocalFiles.Found found, byte[] buffer, int offset,
                               MessageDigest each, MessageDigest whole, SyncProgress progress) throws IOException {
        int size = (int) found.size();
        int read = 0;
        try (FileChannel ch = FileChannel.open(found.file(), StandardOpenOption.READ)) {
            ByteBuffer into = ByteBuffer.wrap(buffer, offset, size);
            while (into.hasRemaining() && ch.read(into) > 0) {
                // until the size the scan saw
            }
            read = into.position() - offset;
            if (read == size && ch.read(ByteBuffer.allocate(1)) > 0) {
                throw new ChangedWhileReadException(found.path()); // it grew
            }
        }
        checkUnchanged(found, read);
        List<String> hashes = new ArrayList<>();
        int[] sizes = new int[Math.max(1, size / (16 * 1024) + 1)]; // one per 16 KiB, the vault's smallest chunk (grown below for a chunker that cuts smaller)
        int n = 0;
        byte[] firstHash = null;
        for (int at = 0; at < size; ) {
            int length = chunker.cut(buffer, offset + at, size - at);
            each.update(buffer, offset + at, length);
            byte[] digest = each.digest();
            if (firstHash == null) {
                firstHash = digest;
            }
            hashes.add(HexFormat.of().formatHex(digest));
            if (n == sizes.length) {
                sizes = java.util.Arrays.copyOf(sizes, n * 2);
            }
            sizes[n++] = length;
            at += length;
        }
        String contentHash;
        if (n == 1) {
            contentHash = HexFormat.of().formatHex(firstHash);
        } else {
            whole.update(buffer, offset, size); // nothing for an empty file
            contentHash = HexFormat.of().formatHex(whole.digest());
        }
        progress.advance(size, found.path().value());
        return new HashedFile(found.path(), found.file(), found.size(), found.mtimeNanos(), contentHash, List.copyOf(hashes),
                Map.of(), buffer, offset, java.util.Arrays.copyOf(sizes, n));
    }

    private static void checkUnchanged(LocalFiles.Found found, long read) throws IOException {
        long[] after = LocalFiles.stat(found.file()).orElseThrow(() -> new ChangedWhileReadException(found.path()));
        if (after[0] != found.size() || after[1] != found.mtimeNanos() || read != found.size()) {
            throw new ChangedWhileReadException(found.path());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
