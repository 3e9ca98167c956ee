package io.cervella.inference.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.cervella.core.http.ApiException;
import io.cervella.core.keys.ApiKeyRecord;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-key limits set by {@code keys create}: requests per minute, tokens per minute, budget.
 * Requests per minute are taken one per request; tokens per minute reserve the prompt's estimate at
 * admission and settle the difference when the real count is known (a bucket may go into debt, which
 * later requests wait out). Buckets live in this process; a shared (PostgreSQL) store for several
 * nodes belongs to the edge's rate limiting.
 */
public final class KeyLimiter {
    private static final long BUDGET_WAIT_NANOS = Duration.ofSeconds(30).toNanos();

    private record KeyState(Bucket rpm, Bucket tpm, BudgetGuard budget) {}

    private final Map<String, KeyState> states = new ConcurrentHashMap<>();
    private final Map<String, Double> spentAtStart;

    /** @param spentAtStart each key's spend so far, from the usage ledger */
    public KeyLimiter(Map<String, Double> spentAtStart) {
        this.spentAtStart = Map.copyOf(spentAtStart);
    }

    /** A request let in; {@link #settle} must be called once when it ends. */
    public final class Admission {
        private final KeyState state;
        private final long reservedTokens;
        private final double reservedUsd;
        private boolean settled;

        private Admission(KeyState state, long reservedTokens, double reservedUsd) {
            this.state = state;
            this.reservedTokens = reservedTokens;
            this.reservedUsd = reservedUsd;
        }

        public synchronized void settle(long actualTokens, double costUsd) {
            if (settled) {
                return;
            }
            settled = true;
            if (state.tpm() != null) {
                long diff = actualTokens - reservedTokens;
                if (diff > 0) {
                    state.tpm().consumeIgnoringRateLimits(diff);
                } else if (diff < 0) {
                    state.tpm().addTokens(-diff);
                }
            }
            if (state.budget() != null) {
                state.budget().release(reservedUsd, costUsd);
            }
        }
    }

    public Admission admit(ApiKeyRecord key, long estimatedTokens) throws InterruptedException {
        KeyState state = states.computeIfAbsent(key.id(), id -> newState(key));
        if (state.rpm() != null) {
            ConsumptionProbe probe = state.rpm().tryConsumeAndReturnRemaining(1);
            if (!probe.isConsumed()) {
                throw ApiException.tooManyRequests("rate_limit_exceeded", "this key is limited to " + key.rpm()
                        + " requests per minute", seconds(probe.getNanosToWaitForRefill()));
            }
        }
        long reserved = 0;
        if (state.tpm() != null) {
            reserved = Math.min(Math.max(1, estimatedTokens), key.tpm());
            ConsumptionProbe probe = state.tpm().tryConsumeAndReturnRemaining(reserved);
            if (!probe.isConsumed()) {
                refundRequest(state);
                throw ApiException.tooManyRequests("token_rate_limit_exceeded", "this key is limited to " + key.tpm()
                        + " tokens per minute", seconds(probe.getNanosToWaitForRefill()));
            }
        }
        double reservedUsd = 0;
        if (state.budget() != null) {
            try {
                reservedUsd = state.budget().admit(BUDGET_WAIT_NANOS);
            } catch (ApiException | InterruptedException e) {
                refundRequest(state);
                if (state.tpm() != null) {
                    state.tpm().addTokens(reserved);
                }
                throw e;
            }
        }
        return new Admission(state, reserved, reservedUsd);
    }

    /** What the key has spent, as this node knows it. */
    public double spentUsd(ApiKeyRecord key) {
        KeyState state = states.get(key.id());
        if (state != null && state.budget() != null) {
            return state.budget().spentUsd();
        }
        return spentAtStart.getOrDefault(key.id(), 0.0);
    }

    private static void refundRequest(KeyState state) {
        if (state.rpm() != null) {
            state.rpm().addTokens(1);
        }
    }

    private KeyState newState(ApiKeyRecord key) {
        Bucket rpm = key.rpm() == null ? null : perMinute(key.rpm());
        Bucket tpm = key.tpm() == null ? null : perMinute(key.tpm());
        BudgetGuard budget = key.budgetUsd() == null ? null
                : new BudgetGuard(key.budgetUsd(), spentAtStart.getOrDefault(key.id(), 0.0));
        return new KeyState(rpm, tpm, budget);
    }

    private static Bucket perMinute(long n) {
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(n).refillGreedy(n, Duration.ofMinutes(1)).build())
                .build();
    }

    private static long seconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
