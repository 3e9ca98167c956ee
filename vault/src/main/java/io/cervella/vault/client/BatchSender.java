package io.cervella.vault.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * Sends chunk batches with a few in flight at once, from a few buffers that go round (the one being
 * filled, those on their way); the first failure is thrown by {@link #awaitAll}.
 */
final class BatchSender implements AutoCloseable {
    private final VaultClient client;
    private final Semaphore slots;
    private final int inFlight;
    private final BlockingQueue<byte[]> free;
    private final List<Thread> threads = new ArrayList<>();
    private volatile IOException failure;

    /** @param free the buffers that go round: made once for a run, and shared by the sends of its groups */
    BatchSender(VaultClient client, int inFlight, BlockingQueue<byte[]> free) {
        this.client = client;
        this.inFlight = inFlight;
        this.slots = new Semaphore(inFlight);
        this.free = free;
    }

    /** Buffers for a run: one being filled and {@code inFlight} on their way. */
    static BlockingQueue<byte[]> buffers(int inFlight, int bufferSize) {
        BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(inFlight + 1);
        for (int i = 0; i <= inFlight; i++) {
            free.add(new byte[bufferSize]);
        }
        return free;
    }

    /** A buffer to fill: waits while every other one is on its way. */
    byte[] buffer() throws IOException {
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    /** Returns a buffer from {@link #buffer} that is not sent after all. */
    void giveBack(byte[] buffer) {
        free.add(buffer);
    }

    /** Sends the first {@code length} bytes of a buffer from {@link #buffer}, which comes back when they are sent. */
    void send(byte[] frames, int length) throws IOException {
        if (failure != null) {
            free.add(frames);
            throw failure;
        }
        slots.acquireUninterruptibly();
        threads.add(Thread.ofVirtual().name("vault-upload").start(() -> {
            try {
                client.putChunks(frames, length);
            } catch (IOException e) {
                failure = e;
            } finally {
                free.add(frames);
                slots.release();
            }
        }));
    }

    void awaitAll() throws IOException {
        slots.acquireUninterruptibly(inFlight);
        slots.release(inFlight);
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() {
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
