package io.cervella.planner.plan;

import io.cervella.planner.perf.ModelPerformance;
import java.util.List;

/**
 * One candidate priced and checked against the workload's targets.
 *
 * @param replicas            GPU replicas, or serverless workers the busiest hour needs (0: CPU only)
 * @param slotsPerReplica     requests one replica serves at once
 * @param serviceSeconds      how long one request holds a slot (its prompt, then its completion)
 * @param ttftP95Seconds      time to first token at the busiest hour's rate (M/M/c queueing, cold starts)
 * @param burstTtftSeconds    the last first token when {@code peak_concurrency} requests arrive together
 * @param coldStartShare      share of requests that find no warm worker (scale to zero), else 0
 * @param availability        expected monthly availability (fraction), from SLAs and stated assumptions
 * @param availabilityBasis   how it was composed, e.g. "99.9% (gcp SLA) × 99.0% (vast: no SLA, assumed)"
 * @param availabilityAssumed true when some part has no published SLA behind it
 */
public record Evaluation(Candidate candidate, ModelPerformance performance, List<CostItem> costs, int replicas,
                         int slotsPerReplica, double serviceSeconds, double ttftP95Seconds, double burstTtftSeconds,
                         double coldStartShare, double availability, String availabilityBasis, boolean availabilityAssumed,
                         boolean latencyMet, boolean uptimeMet, boolean withinBudget, List<String> singlePointsOfFailure,
                         List<String> lockIn, List<String> notes) {

    public double usdPerMonth() {
        return costs.stream().mapToDouble(CostItem::usdPerMonth).sum();
    }

    /** Targets missed: latency, uptime, budget. */
    public int targetsMissed() {
        return (latencyMet ? 0 : 1) + (uptimeMet ? 0 : 1) + (withinBudget ? 0 : 1);
    }

    public boolean meetsAll() {
        return targetsMissed() == 0;
    }

    public String name() {
        return candidate.name();
    }

    public Architecture architecture() {
        return candidate.architecture();
    }
}
