package io.cervella.inference.limits;

import io.cervella.core.http.ApiException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One key's spending against its budget, race-free under concurrency. The cost of a request is known
 * only when it ends, so each admitted request reserves the most that one request of this key has cost
 * so far; a request is let in only while what is spent plus what is reserved plus its own reservation
 * stays within the budget. When nothing is known yet, or the remaining budget is too thin, requests
 * run one at a time. So the budget is never overspent by more than one request's cost.
 */
final class BudgetGuard {
    private final double budgetUsd;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private double spentUsd;
    private double reservedUsd;
    private int inFlight;
    private double largestCostUsd;
    /** True once a request has ended: from then on largestCostUsd is a known cost, even when it is 0. */
    private boolean costKnown;

    BudgetGuard(double budgetUsd, double alreadySpentUsd) {
        this.budgetUsd = budgetUsd;
        this.spentUsd = alreadySpentUsd;
    }

    /** Blocks until the request may run; returns its reservation. Throws when the budget is spent. */
    double admit(long maxWaitNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = maxWaitNanos;
            while (true) {
                if (spentUsd >= budgetUsd) {
                    throw new ApiException(402, "insufficient_quota", "budget_exceeded", String.format(
                            "this key has spent %.4f USD of its %.4f USD budget; ask an admin for a new budget",
                            spentUsd, budgetUsd));
                }
                boolean fits = costKnown && spentUsd + reservedUsd + largestCostUsd <= budgetUsd;
                if (inFlight == 0 || fits) {
                    inFlight++;
                    reservedUsd += largestCostUsd;
                    return largestCostUsd;
                }
                if (left <= 0) {
                    throw ApiException.tooManyRequests("budget_pending",
                            "this key is close to its budget and other requests of it are still running; retry shortly", 1);
                }
                left = changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    void release(double reservation, double actualCostUsd) {
        lock.lock();
        try {
            inFlight--;
            reservedUsd = Math.max(0, reservedUsd - reservation);
            spentUsd += actualCostUsd;
            largestCostUsd = Math.max(largestCostUsd, actualCostUsd);
            costKnown = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    double spentUsd() {
        lock.lock();
        try {
            return spentUsd;
        } finally {
            lock.unlock();
        }
    }

}
