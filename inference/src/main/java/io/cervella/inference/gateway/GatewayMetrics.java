package io.cervella.inference.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

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

    void served(String model, String backend, int status, long promptTokens, long completionTokens,
                Long ttftNanos, Long generationNanos, double costUsd) {
        Counter.builder("cervella.gateway.requests").description("chat completions by outcome")
                .tags("model", model, "backend", backend, "status", Integer.toString(status))
                .register(registry).increment();
        if (ttftNanos != null) {
            Timer.builder("cervella.gateway.ttft").description("time to first token")
                    .tags("model", model, "backend", backend)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                    .register(registry).record(Duration.ofNanos(ttftNanos));
        }
        if (generationNanos != null && generationNanos > 0 && completionTokens > 1) {
            DistributionSummary.builder("cervella.gateway.tokens.per.second")
                    .description("completion tokens per second after the first token")
                    .tags("model", model, "backend", backend)
                    .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(10_000.0)
                    .register(registry).record((completionTokens - 1) / (generationNanos / 1e9));
        }
        if (promptTokens > 0) {
            Counter.builder("cervella.gateway.tokens").tags("model", model, "backend", backend, "kind", "prompt")
                    .register(registry).increment(promptTokens);
        }
        if (completionTokens > 0) {
            Counter.builder("cervella.gateway.tokens").tags("model", model, "backend", backend, "kind", "completion")
                    .register(registry).increment(completionTokens);
        }
        if (costUsd > 0) {
            Counter.builder("cervella.gateway.cost.usd").description("backend cost charged to requests")
                    .tags("model", model, "backend", backend).register(registry).increment(costUsd);
        }
    }
}
