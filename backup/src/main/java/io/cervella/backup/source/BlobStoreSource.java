package io.cervella.backup.source;

import io.cervella.core.blob.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Every blob of a blob store (the vault's), under a path prefix ("vault/"). Blobs are written once and
 * never changed, so a blob of the same name and size as in the parent snapshot is not read again.
 */
public final class BlobStoreSource implements Source {
    private final String name;
    private final BlobStore store;
    private final String pathPrefix;

    public BlobStoreSource(String name, BlobStore store, String pathPrefix) {
        this.name = name;
        this.store = store;
        this.pathPrefix = pathPrefix;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<SourceFile> files() throws IOException {
        List<SourceFile> out = new ArrayList<>();
        for (String blob : store.list("")) {
            long size = store.size(blob);
            if (size < 0) {
                continue; // deleted meanwhile (a repack's old pack): nothing in the database snapshot needs it
            }
            out.add(new SourceFile(pathPrefix + blob, size, 0, () -> new ByteArrayInputStream(store.get(blob)
                    .orElseThrow(() -> new IOException("vault blob " + blob + " disappeared while it was backed up")))));
        }
        return out;
    }
}
