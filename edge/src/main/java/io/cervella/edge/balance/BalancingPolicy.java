package io.cervella.edge.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How an app picks the upstream of a request among those available (healthy, breaker not open, not
 * yet tried for this request). Returns null when none is.
 */
public sealed interface BalancingPolicy permits BalancingPolicy.RoundRobin, BalancingPolicy.LeastRequests,
        BalancingPolicy.Weighted {

    Upstream pick(List<Upstream> candidates);

    static BalancingPolicy named(String name, List<Upstream> all) {
        return switch (name) {
            case "round_robin" -> new RoundRobin();
            case "least_requests" -> new LeastRequests();
            case "weighted" -> new Weighted(all);
            default -> throw new IllegalArgumentException("unknown balancing policy " + name);
        };
    }

    /** Each in turn. */
    final class RoundRobin implements BalancingPolicy {
        private final AtomicLong next = new AtomicLong();

        @Override
        public Upstream pick(List<Upstream> candidates) {
            if (candidates.isEmpty()) {
                return null;
            }
            return candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) candidates.size()));
        }
    }

    /** The one with the fewest requests in flight; ties are taken in turn, so idle upstreams share the load evenly. */
    final class LeastRequests implements BalancingPolicy {
        private final AtomicLong next = new AtomicLong();

        @Override
        public Upstream pick(List<Upstream> candidates) {
            int n = candidates.size();
            if (n == 0) {
                return null;
            }
            int least = Integer.MAX_VALUE;
            int ties = 0;
            for (Upstream u : candidates) {
                int f = u.inFlight();
                if (f < least) {
                    least = f;
                    ties = 1;
                } else if (f == least) {
                    ties++;
                }
            }
            int chosen = (int) Math.floorMod(next.getAndIncrement(), (long) ties);
            for (Upstream u : candidates) {
                if (u.inFlight() == least && chosen-- == 0) {
                    return u;
                }
            }
            return candidates.get(0); // in-flight counts moved under us: any will do
        }
    }

    /**
     * Smooth weighted round robin (as nginx does it): each pick adds every candidate's weight to its
     * running score, takes the highest, and takes the total off the winner's. Weights 5,1,1 give
     * a a b a c a a rather than five a's in a row.
     */
    final class Weighted implements BalancingPolicy {
        private final java.util.Map<Upstream, long[]> scores = new java.util.IdentityHashMap<>();

        Weighted(List<Upstream> all) {
            for (Upstream u : all) {
                scores.put(u, new long[1]);
            }
        }

        @Override
        public synchronized Upstream pick(List<Upstream> candidates) {
            Upstream best = null;
            long total = 0;
            for (Upstream u : candidates) {
                long[] score = scores.computeIfAbsent(u, k -> new long[1]);
                score[0] += u.weight();
                total += u.weight();
                if (best == null || score[0] > scores.get(best)[0]) {
                    best = u;
                }
            }
            if (best != null) {
                scores.get(best)[0] -= total;
            }
            return best;
        }
    }
}
