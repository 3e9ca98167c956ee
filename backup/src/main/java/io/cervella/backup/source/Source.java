package io.cervella.backup.source;

import java.io.IOException;
import java.util.List;

/**
 * Something a snapshot holds (docs/formats/backup.md, What a snapshot holds): a named set of files,
 * listed at one instant. The runner lists the database first, then the rest, so that everything the
 * database's snapshot refers to is in the later lists.
 */
public interface Source extends AutoCloseable {
    String name();

    /** The files, as of now. */
    List<SourceFile> files() throws IOException;

    /** Files of this source whose path, size and mtime match the parent snapshot's are not read again. */
    default boolean unchangedWhenSizeAndTimeMatch() {
        return true;
    }

    /** Drops what listing made (a database copy). */
    @Override
    default void close() throws IOException {}
}
