package io.cervella.ops.probe;

import io.cervella.ops.facts.ProbeFact;
import java.time.Instant;
import java.util.List;

/**
 * One probe's state on this node: up or down since when, why it was last down, its last run, and the
 * uptime figures the gauges show (refreshed from the database now and then, not at every scrape).
 */
final class ProbeState {
    private final String name;
    private volatile String url;
    private Boolean up;
    private Instant since;
    private String lastError;
    private Instant lastRun;
    private volatile double lastLatencySeconds = Double.NaN;
    private volatile List<Double> uptimes = List.of();
    private volatile Instant uptimesAt = Instant.EPOCH;

    ProbeState(String name, String url, ProbeResultStore.StoredState stored) {
        this.name = name;
        this.url = url;
        if (stored != null) {
            up = stored.up();
            since = stored.since();
            lastError = stored.lastError();
            lastRun = stored.lastRun();
        }
    }

    void url(String url) {
        this.url = url;
    }

    String url() {
        return url;
    }

    /** The timestamp of a run starting at {@code now}: after the last one, so that no two share a key. */
    synchronized Instant nextRunAt(Instant now) {
        Instant ms = now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS); // what the database keeps
        Instant at = lastRun != null && !ms.isAfter(lastRun) ? lastRun.plusMillis(1) : ms;
        lastRun = at;
        return at;
    }

    /** Takes a run in; true when it changed the state (or was the first). */
    synchronized boolean record(ProbeResult r) {
        boolean changed = up == null || up != r.up();
        if (changed) {
            up = r.up();
            since = r.ts();
        }
        if (!r.up()) {
            lastError = r.error();
        }
        if (r.latencyMs() != null) {
            lastLatencySeconds = r.latencyMs() / 1000.0;
        }
        return changed;
    }

    /** Null before the first run (on this node, ever). */
    synchronized ProbeFact fact() {
        return up == null ? null : new ProbeFact(name, url, up, since, lastError);
    }

    synchronized Boolean up() {
        return up;
    }

    double upGauge() {
        Boolean u = up();
        return u == null ? Double.NaN : u ? 1 : 0;
    }

    double lastLatencySeconds() {
        return lastLatencySeconds;
    }

    void uptimes(List<Double> figures, Instant at) {
        uptimes = figures;
        uptimesAt = at;
    }

    Instant uptimesAt() {
        return uptimesAt;
    }

    double uptime(int window) {
        List<Double> u = uptimes;
        return window < u.size() && u.get(window) != null ? u.get(window) : Double.NaN;
    }
}
