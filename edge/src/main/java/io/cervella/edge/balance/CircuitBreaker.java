package io.cervella.edge.balance;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * One upstream's breaker: closed (traffic flows) until {@code failures} exchanges in a row fail, then
 * open (no traffic) for {@code openFor}, then half-open: a single trial request is let through, whose
 * success closes it and whose failure opens it again. Small and lock-based: it is touched once per exchange.
 */
public final class CircuitBreaker {
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int failures;
    private final long openForNanos;
    private final LongSupplier nanoClock;
    // volatile: a closed breaker with nothing to forget is read without the lock (every request asks)
    private volatile State state = State.CLOSED;
    private volatile int failedInARow;
    private long openedAt;
    private boolean trialInFlight;

    public CircuitBreaker(int failures, Duration openFor, LongSupplier nanoClock) {
        this.failures = failures;
        this.openForNanos = openFor.toNanos();
        this.nanoClock = nanoClock;
    }

    /** May a request go to this upstream now? In half-open, true once: the caller sends the trial. */
    public boolean tryAcquire() {
        if (state == State.CLOSED) {
            return true;
        }
        return tryAcquireLocked();
    }

    private synchronized boolean tryAcquireLocked() {
        switch (state) {
            case CLOSED:
                return true;
            case OPEN:
                if (nanoClock.getAsLong() - openedAt < openForNanos) {
                    return false;
                }
                state = State.HALF_OPEN;
                trialInFlight = false;
                // fall through: the first caller after the wait is the trial
            case HALF_OPEN:
            default:
                if (trialInFlight) {
                    return false;
                }
                trialInFlight = true;
                return true;
        }
    }

    /** Whether a request could be let through now, without taking the half-open trial. */
    public boolean wouldAllow() {
        return state == State.CLOSED || wouldAllowLocked();
    }

    private synchronized boolean wouldAllowLocked() {
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> nanoClock.getAsLong() - openedAt >= openForNanos;
            case HALF_OPEN -> !trialInFlight;
        };
    }

    public void onSuccess() {
        if (state == State.CLOSED && failedInARow == 0) {
            return;
        }
        onSuccessLocked();
    }

    private synchronized void onSuccessLocked() {
        state = State.CLOSED;
        failedInARow = 0;
        trialInFlight = false;
    }

    public synchronized void onFailure() {
        failedInARow++;
        if (state == State.HALF_OPEN || failedInARow >= failures) {
            state = State.OPEN;
            openedAt = nanoClock.getAsLong();
            trialInFlight = false;
        }
    }

    /**
     * An exchange that ended without telling whether the upstream works (the client went away): no
     * count either way, but a half-open trial is over, so that another may go.
     */
    public synchronized void onAbandoned() {
        trialInFlight = false;
    }

    public synchronized State state() {
        return state == State.OPEN && nanoClock.getAsLong() - openedAt >= openForNanos ? State.HALF_OPEN : state;
    }
}
