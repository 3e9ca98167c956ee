package io.cervella.planner.plan;

import io.cervella.planner.workload.Workload;
import java.util.Comparator;

/**
 * The order of options, best first: those meeting every target by cost; then those that miss —
 * missing the latency target weighs most (the model is then too slow to use), then the budget, then
 * the uptime target (which mostly rests on assumed figures); among those missing the uptime target
 * the nearer one first, in steps of 0.1 percentage point; then the cost.
 */
final class Ranking {
    private Ranking() {}

    static Comparator<Evaluation> of(Workload w) {
        double target = w.uptimePercent() / 100;
        return Comparator.comparingInt(Ranking::misses)
                .thenComparingLong(e -> e.uptimeMet() ? 0 : (long) Math.ceil((target - e.availability()) * 1000 - 1e-9))
                .thenComparingDouble(Evaluation::usdPerMonth)
                .thenComparing(Evaluation::name);
    }

    /** Latency 4, budget 2, uptime 1: the weight of the targets an option misses. */
    static int misses(Evaluation e) {
        return (e.latencyMet() ? 0 : 4) + (e.withinBudget() ? 0 : 2) + (e.uptimeMet() ? 0 : 1);
    }
}
