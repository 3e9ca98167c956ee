package io.cervella.inference.gateway;

import io.cervella.core.http.Route;
import io.cervella.core.keys.Scope;
import io.cervella.core.usage.UsageLedger;
import io.cervella.inference.config.GatewaySettings;
import io.cervella.inference.config.ModelConfig;
import io.cervella.inference.limits.KeyLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/** The AI gateway: the /v1 routes, the backends behind them and their health checks. */
public final class Gateway implements AutoCloseable {
    private final ModelRouter router;
    private final UpstreamClient client;
    private final HealthChecker health;
    private final ChatCompletionsEndpoint chat;
    private final ModelsEndpoint models;
    private final InProcessChat inProcess;

    /**
     * @param internalTrust what the core's own workers are trusted by (the local CA); null when there are none
     */
    public Gateway(List<ModelConfig> modelConfigs, GatewaySettings settings, Function<String, String> env,
                   KeyLimiter limiter, UsageLedger ledger, MeterRegistry registry, javax.net.ssl.SSLContext internalTrust) {
        this.client = new UpstreamClient(internalTrust);
        this.router = new ModelRouter(modelConfigs, env);
        this.health = new HealthChecker(router, client, settings);
        GatewayMetrics metrics = new GatewayMetrics(registry, router);
        this.chat = new ChatCompletionsEndpoint(router, client, limiter, ledger, metrics);
        this.models = new ModelsEndpoint(router, Instant.now().getEpochSecond());
        this.inProcess = new InProcessChat(router, chat);
    }

    public void start() {
        health.start();
    }

    public List<Route> routes() {
        return List.of(
                Route.of("GET", "/v1/models", Scope.CHAT, models),
                Route.of("POST", "/v1/chat/completions", Scope.CHAT, chat));
    }

    /**
     * Called when the server starts to drain: streams still running after {@code grace} are ended
     * with an SSE error event, so that they close properly before the server's stop timeout.
     */
    public void beginShutdown(java.time.Duration grace) {
        Thread.ofVirtual().name("gateway-drain").start(() -> {
            try {
                Thread.sleep(grace);
            } catch (InterruptedException e) {
                return;
            }
            chat.endStreamsForShutdown();
        });
    }

    /** The chat models for the other layers, called in-process with a caller's key. */
    public io.cervella.core.chat.ChatModels chatModels() {
        return inProcess;
    }

    public ModelRouter router() {
        return router;
    }

    @Override
    public void close() {
        health.close();
        client.close();
    }
}
