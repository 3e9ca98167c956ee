package io.cervella.inference.engine;

import io.cervella.inference.engine.model.Transformer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching: request threads hand in forward steps and wait; one scheduler thread runs,
 * whenever the model is free, every step that is waiting (up to {@link #MAX_PASS_TOKENS} tokens, oldest
 * first) as a single pass. A request has at most one step waiting and the queue is first in, first
 * out, so every request gets its turn within a few passes and none starves. A request counts as
 * generating from its first step to its end, also while it writes to a slow client; a pass waits at
 * most {@link #GATHER_NANOS} for such a request's step.
 */
public final class PassScheduler implements AutoCloseable {
    /** Tokens in one pass at most: bounds the pass's activations and the wait of the steps behind it. */
    static final int MAX_PASS_TOKENS = 256;
    /**
     * How long a pass waits for the steps of requests that are generating but have not handed in their
     * next step yet (they are sampling, or writing the last piece to their client): without it, passes
     * alternate between the one request that came back first and the rest.
     */
    private static final long GATHER_NANOS = 2_000_000;

    /** Passes run, and steps they carried. */
    public record Counts(long passes, long steps) {}

    private static final class Step {
        final Transformer.Sequence sequence;
        float[] logits;
        RuntimeException failure;
        boolean done;

        Step(Transformer.Sequence sequence) {
            this.sequence = sequence;
        }
    }

    private final Transformer transformer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stepsWaiting = lock.newCondition();
    private final Condition stepsDone = lock.newCondition();
    private final ArrayDeque<Step> waiting = new ArrayDeque<>();
    private final Thread thread;
    private boolean closed;
    private int generating;
    private long passes;
    private long steps;

    PassScheduler(Transformer transformer) {
        this.transformer = transformer;
        this.thread = Thread.ofPlatform().daemon().name("cervella-engine-passes").start(this::loop);
    }

    /**
     * Runs one step in the next pass and returns the logits of its last token. Waits for the pass even
     * when interrupted (the pass may be writing into the step's cache; the caller must not hand that
     * cache on before it is done) and then keeps the interrupt for the caller.
     */
    float[] run(Transformer.Sequence sequence) {
        Step step = new Step(sequence);
        boolean interrupted = false;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the engine is closed");
            }
            waiting.add(step);
            stepsWaiting.signal();
            while (!step.done) {
                try {
                    stepsDone.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (step.failure != null) {
            throw step.failure;
        }
        return step.logits;
    }

    /** A request starts generating: passes wait briefly for its steps. */
    void requestStarted() {
        lock.lock();
        try {
            generating++;
        } finally {
            lock.unlock();
        }
    }

    void requestEnded() {
        lock.lock();
        try {
            generating--;
            stepsWaiting.signal();
        } finally {
            lock.unlock();
        }
    }

    public Counts counts() {
        lock.lock();
        try {
            return new Counts(passes, steps);
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        try {
            while (true) {
                try {
                    if (!runOnePass()) {
                        return;
                    }
                } catch (InterruptedException e) {
                    // only close() ends the scheduler
                }
            }
        } catch (Throwable t) {
            System.err.println("cervella engine: the pass scheduler stopped: " + t);
        } finally {
            // However the scheduler ends, no request may be left waiting for it.
            lock.lock();
            try {
                closed = true;
                failAll(waiting, new IllegalStateException("the engine is closed"));
                stepsDone.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Waits for steps and runs them as one pass; false once closed. */
    private boolean runOnePass() throws InterruptedException {
        List<Step> pass = new ArrayList<>();
        try {
            lock.lock();
            try {
                while (waiting.isEmpty() && !closed) {
                    stepsWaiting.await();
                }
                if (closed) {
                    return false;
                }
                long gatherFor = GATHER_NANOS;
                while (waiting.size() < generating && gatherFor > 0 && !closed) {
                    gatherFor = stepsWaiting.awaitNanos(gatherFor);
                }
                int tokens = 0;
                while (!waiting.isEmpty()
                        && (pass.isEmpty() || tokens + waiting.peek().sequence.tokens().length <= MAX_PASS_TOKENS)) {
                    Step s = waiting.poll();
                    tokens += s.sequence.tokens().length;
                    pass.add(s);
                }
                passes++;
                steps += pass.size();
            } finally {
                lock.unlock();
            }
            runPass(pass);
            return true;
        } finally {
            if (!pass.isEmpty()) {
                lock.lock();
                try {
                    for (Step s : pass) {
                        if (s.logits == null && s.failure == null) {
                            s.failure = new IllegalStateException("the pass did not complete");
                        }
                        s.done = true;
                    }
                    stepsDone.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void runPass(List<Step> pass) {
        try {
            float[][] logits = transformer.forward(pass.stream().map(s -> s.sequence).toList());
            for (int i = 0; i < pass.size(); i++) {
                pass.get(i).logits = logits[i];
            }
        } catch (IllegalArgumentException e) {
            // A step the model refuses (its context is full, a token outside the vocabulary) is found before
            // anything runs; it must not fail the steps that happened to share its pass.
            if (pass.size() == 1) {
                pass.getFirst().failure = e;
            } else {
                pass.forEach(s -> runPass(List.of(s)));
            }
        } catch (Throwable e) {
            // Anything else (out of memory included) fails this pass's steps, and the scheduler lives on:
            // the requests get a clean error instead of waiting forever.
            RuntimeException failure = e instanceof RuntimeException r ? r : new IllegalStateException("the pass failed: " + e, e);
            pass.forEach(s -> s.failure = failure);
        }
    }

    private static void failAll(ArrayDeque<Step> steps, RuntimeException failure) {
        for (Step s : steps) {
            s.failure = failure;
            s.done = true;
        }
        steps.clear();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            stepsWaiting.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            failAll(waiting, new IllegalStateException("the engine is closed"));
            stepsDone.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
