package io.cervella.core.blob;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where the vault's blobs live (docs/formats/vault.md, Blob store): a flat namespace of immutable
 * blobs, each written once. Knows nothing of keys or formats; names are '/'-separated, of
 * [a-z0-9._-] segments.
 */
public interface BlobStore extends AutoCloseable {
    /** Writes a blob; durable when this returns. A blob of that name is replaced (same content, a retry). */
    void put(String name, byte[] content) throws IOException;

    /** The whole blob, or empty if there is none. */
    Optional<byte[]> get(String name) throws IOException;

    /** {@code length} bytes from {@code offset}; a range past the end is an error. */
    byte[] get(String name, long offset, int length) throws IOException;

    /** The blob's size in bytes, or -1 if there is none. */
    long size(String name) throws IOException;

    /** The names that start with {@code prefix}, sorted. */
    List<String> list(String prefix) throws IOException;

    /** Deletes a blob; false if there was none. */
    boolean delete(String name) throws IOException;

    @Override
    default void close() throws IOException {}

    /** Refuses a name that could leave the store's namespace or mean different things to different stores. */
    static String checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > 512
                || !name.matches("[a-z0-9._-]+(/[a-z0-9._-]+)*") || name.matches("(.*/)?\\.{1,2}(/.*)?")) {
            throw new IllegalArgumentException("not a blob name: '" + name + "'");
        }
        return name;
    }
}
