package io.cervella.edge.observe;

import io.cervella.edge.balance.Upstream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One app's meters in {@code /metrics}: requests by upstream and status with their latency
 * ({@code cervella_edge_requests_seconds}), retries, requests no upstream could take, and per
 * upstream its health (1/0), circuit state (0 closed, 1 half-open, 2 open) and requests in flight
 * (through {@link UpstreamGauges}).
 */
public final class AppMetrics implements AutoCloseable {
    private final String app;
    private final MeterRegistry registry;
    private final Map<Upstream, Map<Integer, Timer>> timers = new ConcurrentHashMap<>();
    private final Map<Upstream, Counter> retries = new ConcurrentHashMap<>();
    private final Counter noUpstream;
    private final List<Upstream> upstreams;
    private final UpstreamGauges gauges;

    public AppMetrics(String app, List<Upstream> upstreams, MeterRegistry registry, UpstreamGauges gauges) {
        this.app = app;
        this.registry = registry;
        this.upstreams = List.copyOf(upstreams);
        this.gauges = gauges;
        noUpstream = Counter.builder("cervella.edge.no.upstream").description("requests no upstream could take (503)")
                .tag("app", app).register(registry);
        upstreams.forEach(u -> gauges.bind(app, u));
    }

    public void exchange(Upstream u, int status, long nanos) {
        Map<Integer, Timer> byStatus = timers.computeIfAbsent(u, k -> new ConcurrentHashMap<>());
        Timer t = byStatus.get(status);
        if (t == null) {
            t = byStatus.computeIfAbsent(status, k -> Timer.builder("cervella.edge.requests")
                    .description("requests proxied to an app's upstream")
                    .tags("app", app, "upstream", u.label(), "status", Integer.toString(status)).register(registry));
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void retried(Upstream u) {
        retries.computeIfAbsent(u, k -> {
            Counter c = Counter.builder("cervella.edge.retries").description("requests tried again on another upstream")
                    .tags("app", app, "upstream", u.label()).register(registry);
            return c;
        }).increment();
    }

    public void noUpstream() {
        noUpstream.increment();
    }

    /**
     * Takes the app's gauges out (unless a reloaded app took them over). Request counts and latencies
     * stay: they are cumulative, and a reloaded app with the same name goes on counting in them.
     */
    @Override
    public void close() {
        upstreams.forEach(u -> gauges.unbind(app, u));
    }
}
