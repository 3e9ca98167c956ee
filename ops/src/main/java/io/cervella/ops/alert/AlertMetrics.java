package io.cervella.ops.alert;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The alerts' meters: {@code cervella_alerts_firing{rule}} (alerts firing now, as the shared state
 * says, so every node shows the same) and {@code cervella_alerts_deliveries_total{webhook,result}}
 * (messages delivered or given up on, after the tries).
 */
final class AlertMetrics {
    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> firing = new ConcurrentHashMap<>();
    private final Map<String, Counter> deliveries = new ConcurrentHashMap<>();

    AlertMetrics(MeterRegistry registry, Collection<String> rules) {
        this.registry = registry;
        for (String rule : rules) {
            AtomicInteger count = new AtomicInteger();
            firing.put(rule, count);
            Gauge.builder("cervella.alerts.firing", count, AtomicInteger::get)
                    .description("alerts firing now, by rule")
                    .tag("rule", rule)
                    .register(registry);
        }
    }

    /** Sets the gauges from the shared state's firing alerts. */
    void firing(List<AlertState> state) {
        Map<String, Integer> counts = new HashMap<>();
        for (AlertState s : state) {
            if (s.status() == AlertStatus.FIRING) {
                counts.merge(s.rule(), 1, Integer::sum);
            }
        }
        firing.forEach((rule, count) -> count.set(counts.getOrDefault(rule, 0)));
    }

    void delivered(String webhook, boolean ok) {
        String result = ok ? "delivered" : "failed";
        deliveries.computeIfAbsent(webhook + "\n" + result, k -> Counter.builder("cervella.alerts.deliveries")
                .description("alert messages sent to webhooks, by result (after retries)")
                .tag("webhook", webhook)
                .tag("result", result)
                .register(registry)).increment();
    }
}
