package io.cervella.planner.plan;

import io.cervella.planner.catalog.Catalog;
import io.cervella.planner.workload.Workload;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A plan: every evaluated option ranked, those that could not be evaluated and why, the
 * recommendation with its reasons and sensitivity, and the cost of each architecture as load grows.
 *
 * @param ranked        best first: options meeting every target by cost, then those missing targets
 * @param notEvaluated  offer (or host) → why it could not be judged (a missing figure or price)
 * @param costVsLoad    for each load factor, each architecture's cheapest option that meets the
 *                      latency target at that load (absent: none does)
 */
public record Plan(Workload workload, Assumptions assumptions, LocalDate today, Catalog.Staleness staleness,
                   List<Evaluation> ranked, Map<String, String> notEvaluated, Recommendation recommendation,
                   List<LoadPoint> costVsLoad, List<String> catalogFiles) {

    /** The winner, why, what came second, and what would change the answer. */
    public record Recommendation(Evaluation winner, boolean meetsAll, List<String> reasons, Evaluation runnerUp,
                                 List<String> sensitivity) {}

    public record LoadPoint(double factor, double requestsPerDay, Map<Architecture, Evaluation> best) {}

    /** Each architecture's best-ranked option. */
    public Map<Architecture, Evaluation> bestByArchitecture() {
        Map<Architecture, Evaluation> out = new EnumMap<>(Architecture.class);
        for (Evaluation e : ranked) {
            out.putIfAbsent(e.architecture(), e);
        }
        return out;
    }
}
