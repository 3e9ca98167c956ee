package io.cervella.inference.gateway;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code maxConcurrency} requests at a backend, at most {@code maxQueue} waiting (first come,
 * first served), and none waiting longer than the queue timeout.
 */
final class ConcurrencyLimiter {
    private final Semaphore slots;
    private final int maxConcurrency;
    private final int maxQueue;
    private final AtomicInteger waiting = new AtomicInteger();

    ConcurrencyLimiter(int maxConcurrency, int maxQueue) {
        this.slots = new Semaphore(maxConcurrency, true);
        this.maxConcurrency = maxConcurrency;
        this.maxQueue = maxQueue;
    }

    /** A slot now, unless one is free but others queue for it (the timed form keeps fairness; plain tryAcquire barges). */
    boolean tryAcquireNow() {
        try {
            return slots.tryAcquire(0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits in the queue if there is room in it; false when the queue is full or the wait timed out. */
    boolean acquireQueued(long timeoutNanos) throws InterruptedException {
        if (waiting.incrementAndGet() > maxQueue) {
            waiting.decrementAndGet();
            return false;
        }
        try {
            return slots.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS);
        } finally {
            waiting.decrementAndGet();
        }
    }

    void release() {
        slots.release();
    }

    int inFlight() {
        return maxConcurrency - slots.availablePermits();
    }

    int queued() {
        return waiting.get();
    }
}
