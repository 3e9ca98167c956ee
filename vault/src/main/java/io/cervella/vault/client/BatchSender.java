package io.cervella.vault.client;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/** Sends chunk batches with a few in flight at once; the first failure is thrown by {@link #awaitAll}. */
final class BatchSender implements AutoCloseable {
    private final VaultClient client;
    private final Semaphore slots;
    private final int inFlight;
    private final List<Thread> threads = new ArrayList<>();
    private volatile IOException failure;

    BatchSender(VaultClient client, int inFlight) {
        this.client = client;
        this.inFlight = inFlight;
        this.slots = new Semaphore(inFlight);
    }

    void send(byte[] frames) throws IOException {
        if (failure != null) {
            throw failure;
        }
        slots.acquireUninterruptibly();
        threads.add(Thread.ofVirtual().name("vault-upload").start(() -> {
            try {
                client.putChunks(frames);
            } catch (IOException e) {
                failure = e;
            } finally {
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
