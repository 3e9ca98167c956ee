package io.cervella.inference.engine.model;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed team of threads that run one piece of work together and meet at its end, many times a
 * second: a forward pass hands out about ten pieces per layer, each a fraction of a millisecond. A
 * general-purpose pool costs tens of microseconds per hand-off and leaves the caller idle; here the
 * caller is member 0 and does its share, and the helpers spin briefly between pieces (they are
 * usually handed the next one within microseconds) before they park.
 *
 * <p>One piece at a time: {@link #run} is not reentrant and is meant for one calling thread at a time
 * (the engine takes the model in turns); concurrent callers are serialised.
 */
public final class ThreadTeam implements AutoCloseable {
    /** How long an idle helper spins before it parks: longer than the gap between two pieces of a pass. */
    private static final long SPIN_NANOS = 200_000;

    private final int size;
    private final Thread[] helpers;
    /** Bumped once per piece; helpers start the piece when they see it change. */
    private volatile int generation;
    private volatile IntConsumer work;
    private volatile boolean closed;
    private final AtomicInteger unfinished = new AtomicInteger();
    private final boolean[] parked;
    private volatile Throwable failure;

    public ThreadTeam(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a team needs at least one thread, was " + size);
        }
        this.size = size;
        this.helpers = new Thread[size - 1];
        this.parked = new boolean[size - 1];
        for (int i = 0; i < helpers.length; i++) {
            int member = i + 1;
            helpers[i] = Thread.ofPlatform().daemon().name("cervella-compute-" + member).start(() -> helperLoop(member));
        }
    }

    public int size() { return size; }

    /** Runs {@code work.accept(member)} once for every member 0..size-1, in parallel, and returns when all are done. */
    public synchronized void run(IntConsumer work) {
        if (helpers.length == 0) {
            work.accept(0);
            return;
        }
        if (closed) {
            throw new IllegalStateException("the thread team is closed");
        }
        this.work = work;
        this.failure = null;
        unfinished.set(helpers.length);
        generation++; // volatile write: publishes work and unfinished to the helpers
        for (int i = 0; i < helpers.length; i++) {
            if (isParked(i)) {
                LockSupport.unpark(helpers[i]);
            }
        }
        Throwable own = null;
        try {
            work.accept(0);
        } catch (Throwable t) {
            own = t;
        }
        int spins = 0;
        while (unfinished.get() != 0) {
            if (++spins < 10_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // a helper was descheduled: give it the core
            }
        }
        this.work = null;
        Throwable theirs = failure;
        if (own != null || theirs != null) {
            Throwable t = own != null ? own : theirs;
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(t);
        }
    }

    /** Splits [0, total) into {@link #size} contiguous ranges; the start of member {@code m}'s range. */
    public int rangeStart(int total, int member) {
        return (int) ((long) total * member / size);
    }

    private void helperLoop(int member) {
        int seen = 0;
        while (true) {
            int now = awaitNewGeneration(member, seen);
            if (now == seen) { // closed, with no piece handed out
                return;
            }
            // A piece handed out is always run and counted, even if close() came meanwhile: the caller
            // waits for it.
            seen = now;
            try {
                work.accept(member);
            } catch (Throwable t) {
                failure = t;
            }
            unfinished.decrementAndGet();
        }
    }

    private int awaitNewGeneration(int member, int seen) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (true) {
            int now = generation;
            if (now != seen || closed) {
                return now;
            }
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
                continue;
            }
            // Dekker-style hand-shake with run(): announce the park, look once more, then park.
            setParked(member - 1, true);
            if (generation == seen && !closed) {
                LockSupport.park(this);
            }
            setParked(member - 1, false);
            spinUntil = System.nanoTime() + SPIN_NANOS;
        }
    }

    private boolean isParked(int helper) {
        synchronized (parked) {
            return parked[helper];
        }
    }

    private void setParked(int helper, boolean value) {
        synchronized (parked) {
            parked[helper] = value;
        }
    }

    /** Waits for a piece under way (run holds the same lock), then lets the helpers go. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Thread t : helpers) {
            LockSupport.unpark(t);
        }
    }
}
