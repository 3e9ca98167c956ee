package io.cervella.backup.lock;

import java.io.IOException;

/** A lock on a repository, or the absence of one (reading a repository that cannot be written), released by close. */
public interface HeldLock extends AutoCloseable {
    @Override
    void close() throws IOException;
}
