package io.cervella.ops.facts;

import java.time.Instant;
import java.util.List;

/**
 * The planner's current recommendation as the dashboard shows it (the app makes it; ops only shows
 * it). {@code problem}: why there is none (not configured, or the plan could not be made).
 */
public record HostingAdvice(Instant madeAt, String option, String architecture, double usdPerMonth, boolean meetsAllTargets,
                            List<String> reasons, List<String> sensitivity, boolean catalogStale, String traffic,
                            String problem) {
    public HostingAdvice {
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
        sensitivity = sensitivity == null ? List.of() : List.copyOf(sensitivity);
    }

    public static HostingAdvice none(Instant at, String problem) {
        return new HostingAdvice(at, null, null, 0, false, List.of(), List.of(), false, null, problem);
    }
}
