package io.cervella.ops.probe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One probe's meters. In Prometheus: {@code cervella_probe_up}, {@code cervella_probe_uptime_ratio}
 * (tag {@code window}: 24h, 7d, 30d), {@code cervella_probe_duration_seconds} (count, sum, max) and
 * {@code cervella_probe_last_duration_seconds}; every one tagged {@code probe}. A gauge reads NaN
 * until there is something to show.
 *
 * <p>The newest probe set wins: registering replaces a meter of the same name and tags (a reload's new
 * set taking over from the old one), and removing leaves alone a meter that a newer set replaced.
 */
final class ProbeMeters {
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Timer duration;

    ProbeMeters(MeterRegistry registry, String probe, ProbeState state) {
        this.registry = registry;
        Tags tags = Tags.of("probe", probe);
        add("cervella.probe.up", tags, () -> Gauge.builder("cervella.probe.up", state, ProbeState::upGauge)
                .description("1 while the uptime probe finds its target up, 0 while down").tags(tags).register(registry));
        UptimeWindow[] windows = UptimeWindow.values();
        for (int i = 0; i < windows.length; i++) {
            int w = i;
            Tags windowTags = tags.and("window", windows[i].label());
            add("cervella.probe.uptime.ratio", windowTags, () -> Gauge.builder("cervella.probe.uptime.ratio", state, s -> s.uptime(w))
                    .description("share of the probe's runs that found its target up, over the window")
                    .tags(windowTags).register(registry));
        }
        add("cervella.probe.last.duration", tags, () -> Gauge.builder("cervella.probe.last.duration", state,
                        ProbeState::lastLatencySeconds).baseUnit("seconds")
                .description("how long the probe's last run took").tags(tags).register(registry));
        duration = (Timer) add("cervella.probe.duration", tags, () -> Timer.builder("cervella.probe.duration")
                .description("how long the probe's runs take, answer or failure").tags(tags).register(registry));
    }

    private Meter add(String name, Tags tags, Supplier<Meter> register) {
        Meter old = registry.find(name).tags(tags).meter();
        if (old != null) {
            registry.remove(old);
        }
        Meter m = register.get();
        meters.add(m);
        return m;
    }

    void recordRun(double latencyMs) {
        duration.record(Duration.ofNanos((long) (latencyMs * 1e6)));
    }

    void remove() {
        for (Meter m : meters) {
            if (registry.find(m.getId().getName()).tags(m.getId().getTags()).meter() == m) {
                registry.remove(m);
            }
        }
    }
}
