package io.cervella.vault.client;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The buffers a push reads its groups of files into, made as they are first needed and then passed
 * round (one group hashed, one sent, one being committed): a gigabyte's first sync then allocates a
 * few hundred megabytes once instead of a fresh, zeroed buffer per group.
 */
final class GroupBuffers {
    private final int size;
    private final int most;
    private final BlockingQueue<byte[]> free;
    private int made;

    GroupBuffers(int size, int most) {
        this.size = size;
        this.most = most;
        this.free = new ArrayBlockingQueue<>(most);
    }

    /** A buffer of at least {@code bytes}: a pooled one when it fits, else one of its own. */
    byte[] take(long bytes) throws InterruptedException {
        if (bytes > size) {
            return new byte[(int) bytes];
        }
        byte[] b = free.poll();
        if (b != null) {
            return b;
        }
        synchronized (this) {
            if (made < most) {
                made++;
                return new byte[size];
            }
        }
        return free.take();
    }

    /** Gives a buffer back once nothing reads it any more. */
    void release(byte[] buffer) {
        if (buffer != null && buffer.length == size) {
            free.offer(buffer);
        }
    }
}
