package io.cervella.ops.probe;

import java.time.Instant;
import java.util.List;

/**
 * One run of a probe: up or not, the HTTP status (null when none came), how long it took, why it was
 * down (null when up). {@code upstreams}: for a hosted app's probe, what each upstream answered; only
 * the run that just happened carries them (the database keeps the run's summary, not these).
 */
public record ProbeResult(String probe, String node, Instant ts, boolean up, Integer status, Double latencyMs,
                          String error, List<UpstreamCheck> upstreams) {
    public ProbeResult {
        upstreams = upstreams == null ? List.of() : List.copyOf(upstreams);
    }

    /** One upstream of a hosted app: {@code url} is its health-check URL without credentials or query. */
    public record UpstreamCheck(String url, boolean up, Integer status, double latencyMs, String error) {}
}
