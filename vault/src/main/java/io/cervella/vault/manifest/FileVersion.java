package io.cervella.vault.manifest;

import io.cervella.vault.tree.VaultPath;
import io.cervella.vault.version.VersionVector;
import java.util.List;

/**
 * One version of one file in a commit: its vector, and either its content (size, whole-file hash, the
 * content hashes of its chunks in order) or a tombstone ({@code deleted}, no chunks).
 */
public record FileVersion(VaultPath path, VersionVector vector, boolean deleted, long size, long mtime, String contentHash,
                          List<String> chunks) {
    public FileVersion {
        chunks = List.copyOf(chunks);
        if (deleted && (!chunks.isEmpty() || size != 0)) {
            throw new IllegalArgumentException(path + ": a deletion has no content");
        }
        if (size < 0) {
            throw new IllegalArgumentException(path + ": a negative size");
        }
        for (String c : chunks) {
            if (!c.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException(path + ": a chunk is named by its SHA-256 in lower-case hex");
            }
        }
    }

    public static FileVersion tombstone(VaultPath path, VersionVector vector, long mtime) {
        return new FileVersion(path, vector, true, 0, mtime, "", List.of());
    }
}
