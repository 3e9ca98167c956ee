package io.cervella.core.usage;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One model's traffic in a window of the usage ledger, as the planner's measured workload needs it
 * (docs/formats/workload.md, "Measured"). A request is in the window when it ended in [from, to); it
 * started at its end minus its latency.
 *
 * @param days            (to − from) in days
 * @param model           the model measured; null when the window holds no request at all
 * @param requests        the model's requests, every status
 * @param errors          of those, status 500 or more, or 0 (the client went away first)
 * @param hourly          24 counts: the model's requests by UTC hour of their start
 * @param promptTokensMean     mean over its successful (2xx) requests; null when none succeeded
 * @param completionTokensMean idem
 * @param peakConcurrency the most of its requests in flight at once (0 when none)
 * @param ttftP95Ms       nearest-rank p95 of its successful requests' time to first token; null when none had one
 * @param sampled         true when the peak and the p95 come from the newest {@link UsageLedger#TRAFFIC_SAMPLE} rows only
 * @param requestsByModel every model's requests in the window, most first
 */
public record UsageTraffic(Instant from, Instant to, double days, String model, long requests, long errors,
                           List<Long> hourly, Double promptTokensMean, Double completionTokensMean, int peakConcurrency,
                           Double ttftP95Ms, boolean sampled, Map<String, Long> requestsByModel) {
    public UsageTraffic {
        if (hourly.size() != 24) {
            throw new IllegalArgumentException("hourly needs 24 counts (hours 0 to 23), had " + hourly.size());
        }
        hourly = List.copyOf(hourly);
        requestsByModel = Collections.unmodifiableMap(new LinkedHashMap<>(requestsByModel));
    }

    /** The sum of the hourly counts: equals {@link #requests}. */
    public long hourlyTotal() {
        return hourly.stream().mapToLong(Long::longValue).sum();
    }
}
