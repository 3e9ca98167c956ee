package io.cervella.edge.observe;

import io.cervella.edge.balance.Upstream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One app's meters in {@code /metrics}: requests by upstream and status with their latency
 * ({@code cervella_edge_requests_seconds}), retries, requests no upstream could take, and per
 * upstream its health (1/0), circuit state (0 closed, 1 half-open, 2 open) and requests in flight.
 * Removed with the app when a reload drops it.
 */
public final class AppMetrics implements AutoCloseable {
    private final String app;
    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<Upstream, Counter> retries = new ConcurrentHashMap<>();
    private final Counter noUpstream;
    private final List<Meter> meters = new ArrayList<>();

    public AppMetrics(String app, List<Upstream> upstreams, MeterRegistry registry) {
        this.app = app;
        this.registry = registry;
        noUpstream = Counter.builder("cervella.edge.no.upstream").description("requests no upstream could take (503)")
                .tag("app", app).register(registry);
        meters.add(noUpstream);
        for (Upstream u : upstreams) {
            meters.add(Gauge.builder("cervella.edge.upstream.healthy", u, x -> x.healthy() ? 1 : 0)
                    .description("1 while the upstream passes its health checks").tags("app", app, "upstream", u.label())
                    .register(registry));
            meters.add(Gauge.builder("cervella.edge.upstream.circuit", u, AppMetrics::circuit)
                    .description("the upstream's circuit breaker: 0 closed, 1 half-open, 2 open")
                    .tags("app", app, "upstream", u.label()).register(registry));
            meters.add(Gauge.builder("cervella.edge.upstream.in.flight", u, Upstream::inFlight)
                    .description("requests in flight to the upstream").tags("app", app, "upstream", u.label())
                    .register(registry));
        }
    }

    private static double circuit(Upstream u) {
        return switch (u.breaker().state()) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        };
    }

    public void exchange(Upstream u, int status, long nanos) {
        String key = u.label() + ' ' + status;
        Timer t = timers.get(key);
        if (t == null) {
            t = timers.computeIfAbsent(key, k -> {
                Timer created = Timer.builder("cervella.edge.requests").description("requests proxied to an app's upstream")
                        .tags("app", app, "upstream", u.label(), "status", Integer.toString(status)).register(registry);
                synchronized (meters) {
                    meters.add(created);
                }
                return created;
            });
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void retried(Upstream u) {
        retries.computeIfAbsent(u, k -> {
            Counter c = Counter.builder("cervella.edge.retries").description("requests tried again on another upstream")
                    .tags("app", app, "upstream", u.label()).register(registry);
            synchronized (meters) {
                meters.add(c);
            }
            return c;
        }).increment();
    }

    public void noUpstream() {
        noUpstream.increment();
    }

    @Override
    public void close() {
        synchronized (meters) {
            meters.forEach(registry::remove);
            meters.clear();
        }
    }
}
