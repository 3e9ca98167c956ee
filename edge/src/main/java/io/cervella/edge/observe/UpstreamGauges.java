package io.cervella.edge.observe;

import io.cervella.edge.balance.Upstream;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Each upstream's gauges (health, circuit, requests in flight), registered once per app and upstream
 * and pointed at whichever {@link Upstream} object serves it now: a reload that rebuilds an app while
 * the old one drains rebinds them, and the old one's retirement then leaves them alone.
 */
public final class UpstreamGauges {
    private record Bound(AtomicReference<Upstream> current, List<Meter> meters) {}

    private final MeterRegistry registry;
    private final Map<String, Bound> bound = new ConcurrentHashMap<>();

    public UpstreamGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    public synchronized void bind(String app, Upstream u) {
        Bound b = bound.computeIfAbsent(app + ' ' + u.label(), k -> {
            AtomicReference<Upstream> ref = new AtomicReference<>(u);
            String[] tags = {"app", app, "upstream", u.label()};
            return new Bound(ref, List.of(
                    Gauge.builder("cervella.edge.upstream.healthy", ref, r -> r.get().healthy() ? 1 : 0)
                            .description("1 while the upstream passes its health checks").tags(tags).register(registry),
                    Gauge.builder("cervella.edge.upstream.circuit", ref, r -> circuit(r.get()))
                            .description("the upstream's circuit breaker: 0 closed, 1 half-open, 2 open").tags(tags).register(registry),
                    Gauge.builder("cervella.edge.upstream.in.flight", ref, r -> r.get().inFlight())
                            .description("requests in flight to the upstream").tags(tags).register(registry)));
        });
        b.current().set(u);
    }

    /** Removes the gauges of {@code u} unless a newer app's upstream took them over. */
    public synchronized void unbind(String app, Upstream u) {
        String key = app + ' ' + u.label();
        Bound b = bound.get(key);
        if (b != null && b.current().get() == u) {
            b.meters().forEach(registry::remove);
            bound.remove(key);
        }
    }

    private static double circuit(Upstream u) {
        return switch (u.breaker().state()) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        };
    }
}
