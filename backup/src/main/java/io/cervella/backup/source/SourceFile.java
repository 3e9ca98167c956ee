package io.cervella.backup.source;

import java.io.IOException;
import java.io.InputStream;

/** A file a source offers: its path under the data directory, size, mtime (ms; 0 for blobs that never change) and how to read it. */
public record SourceFile(String path, long size, long mtime, Opener opener) {
    public interface Opener {
        InputStream open() throws IOException;
    }
}
