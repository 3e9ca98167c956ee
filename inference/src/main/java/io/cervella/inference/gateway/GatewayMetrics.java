package io.cervella.inference.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's meters. Names (Prometheus form): cervella_gateway_requests_total,
 * cervella_gateway_ttft_seconds, cervella_gateway_tokens_per_second, cervella_gateway_tokens_total,
 * cervella_gateway_cost_usd_total, cervella_backend_up, cervella_backend_in_flight,
 * cervella_backend_queue_depth.
 */
final class GatewayMetrics {
    private final MeterRegistry registry;

    GatewayMetrics(MeterRegistry registry, ModelRouter router) {
        this.registry = registry;
        for (Backend b : router.allBackends()) {
            Gauge.builder("cervella.backend.up", b, x -> x.healthy() ? 1 : 0)
                    .description("1 while the backend is in service, 0 while it is taken out")
                    .tags("model", b.modelName(), "backend", b.name()).register(registry);
            Gauge.builder("cervella.backend.in.flight", b, Backend::inFlight)
                    .description("requests the backend is serving now")
                    .tags("model", b.modelName(), "backend", b.name()).register(registry);
            Gauge.builder("cervella.backend.queue.depth", b, Backend::queued)
                    .description("requests waiting for a slot at the backend")
                    .tags("model", b.modelName(), "backend", b.name()).register(registry);
        }
    }

    /** The meters of one model and backend, looked up once instead of on every request. */
    private record BackendMeters(Timer ttft, DistributionSummary tokensPerSecond, Counter promptTokens,
                                 Counter completionTokens, Counter cost) {}

    private final Map<String, BackendMeters> byBackend = new ConcurrentHashMap<>();
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();

    private BackendMeters meters(String model, String backend) {
        return byBackend.computeIfAbsent(model + '\u0000' + backend, k -> new BackendMeters(
                Timer.builder("cervella.gateway.ttft").description("time to first token")
                        .tags("model", model, "backend", backend)
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                        .register(registry),
                DistributionSummary.builder("cervella.gateway.tokens.per.second")
                        .description("completion tokens per second after the first token")
                        .tags("model", model, "backend", backend)
                        .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(10_000.0)
                        .register(registry),
                Counter.builder("cervella.gateway.tokens").tags("model", model, "backend", backend, "kind", "prompt")
                        .register(registry),
                Counter.builder("cervella.gateway.tokens").tags("model", model, "backend", backend, "kind", "completion")
                        .register(registry),
                Counter.builder("cervella.gateway.cost.usd").description("backend cost charged to requests")
                        .tags("model", model, "backend", backend).register(registry)));
    }

    void served(String model, String backend, int status, long promptTokens, long completionTokens,
                Long ttftNanos, Long generationNanos, double costUsd) {
        requests.computeIfAbsent(model + '\u0000' + backend + '\u0000' + status, k ->
                Counter.builder("cervella.gateway.requests").description("chat completions by outcome")
                        .tags("model", model, "backend", backend, "status", Integer.toString(status))
                        .register(registry)).increment();
        BackendMeters m = meters(model, backend);
        if (ttftNanos != null) {
            m.ttft().record(Duration.ofNanos(ttftNanos));
        }
        if (generationNanos != null && generationNanos > 0 && completionTokens > 1) {
            m.tokensPerSecond().record((completionTokens - 1) / (generationNanos / 1e9));
        }
        if (promptTokens > 0) {
            m.promptTokens().increment(promptTokens);
        }
        if (completionTokens > 0) {
            m.completionTokens().increment(completionTokens);
        }
        if (costUsd > 0) {
            m.cost().increment(costUsd);
        }
    }
}
