package io.cervella.backup.tree;

import io.cervella.backup.pack.BlobId;
import java.util.List;

/** One file in a tree: its path under the data directory, size, mtime (ms) and content, blob by blob. */
public record TreeEntry(String path, long size, long mtime, List<BlobId> content) {
    public TreeEntry {
        content = List.copyOf(content);
    }
}
