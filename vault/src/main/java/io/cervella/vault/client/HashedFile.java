package io.cervella.vault.client;

import io.cervella.core.chunk.ContentChunker;
import io.cervella.vault.tree.VaultPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * in order, and, when asked, the chunks' bytes. A file that changed while it was read is refused.
 */
record HashedFile(VaultPath path, Path file, long size, long mtimeNanos, String contentHash, List<String> chunks,
                  Map<String, byte[]> bytes) {

    /** The file changed between the stat before reading it and the one after. */
    static final class ChangedWhileReadException extends IOException {
        ChangedWhileReadException(VaultPath path) {
            super(path + ": changed while it was read; it is synced when it settles");
        }
    }

    /**
     * Reads the file; keeps the bytes of the chunks in {@code keep} (all of them when {@code keep} is
     * null and {@code keepAll}).
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
        long[] after = LocalFiles.stat(found.file()).orElseThrow(() -> new ChangedWhileReadException(found.path()));
        if (after[0] != found.size() || after[1] != found.mtimeNanos() || read != found.size()) {
            throw new ChangedWhileReadException(found.path());
        }
        return new HashedFile(found.path(), found.file(), found.size(), found.mtimeNanos(),
                HexFormat.of().formatHex(whole != null ? whole.digest() : firstHash != null ? firstHash : each.digest()),
                List.copyOf(hashes), bytes);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
