package io.cervella.planner.plan;

/**
 * The M/M/c queue: requests arrive at random (rate λ per second) and each of c servers — here the
 * request slots of the GPU replicas — serves one at a time for an exponentially distributed time with
 * mean 1/μ. A standard model for sizing; real arrivals are burstier, which is why the planner also
 * checks the busiest moment ({@code peak_concurrency}) separately.
 */
public final class Queueing {
    private Queueing() {}

    /** The offered load a = λ/μ, in servers' worth of work. */
    public static double offeredLoad(double lambda, double mu) {
        return lambda / mu;
    }

    /**
     * Erlang's C formula: the probability that an arriving request has to wait, for {@code c} servers
     * and an offered load {@code a} (below c). Computed through the Erlang B recursion, which stays
     * stable for large c.
     */
    public static double erlangC(int c, double a) {
        if (c < 1) {
            throw new IllegalArgumentException("at least one server, was " + c);
        }
        if (a <= 0) {
            return 0;
        }
        if (a >= c) {
            return 1;
        }
        double b = 1;   // Erlang B with 0 servers
        for (int k = 1; k <= c; k++) {
            b = a * b / (k + a * b);
        }
        return b / (1 - (a / c) * (1 - b));
    }

    /**
     * The wait not exceeded by a fraction {@code quantile} of requests (e.g. 0.95): for M/M/c,
     * P(W > t) = C·e^(−(cμ−λ)t). Infinite when the queue is unstable (λ ≥ cμ).
     */
    public static double waitQuantile(int c, double lambda, double mu, double quantile) {
        if (lambda >= c * mu) {
            return Double.POSITIVE_INFINITY;
        }
        double waitProbability = erlangC(c, offeredLoad(lambda, mu));
        double tail = 1 - quantile;
        if (waitProbability <= tail) {
            return 0;
        }
        return Math.log(waitProbability / tail) / (c * mu - lambda);
    }
}
