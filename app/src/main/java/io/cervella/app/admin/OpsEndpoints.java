package io.cervella.app.admin;

import io.cervella.core.http.Exchange;
import io.cervella.core.http.Json;
import io.cervella.core.http.Route;
import io.cervella.core.keys.Scope;
import io.cervella.core.store.MetadataStore;
import io.cervella.inference.gateway.Backend;
import io.cervella.inference.gateway.ModelRouter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** /healthz (alive), /readyz (able to serve, with reasons), /metrics (Prometheus). */
public final class OpsEndpoints {
    private final MetadataStore store;
    private final ModelRouter models;
    private final PrometheusMeterRegistry prometheus;
    private final BooleanSupplier draining;

    public OpsEndpoints(MetadataStore store, ModelRouter models, PrometheusMeterRegistry prometheus,
                        BooleanSupplier draining) {
        this.store = store;
        this.models = models;
        this.prometheus = prometheus;
        this.draining = draining;
    }

    public List<Route> routes() {
        return List.of(
                Route.of("GET", "/healthz", null, this::healthz),
                Route.of("GET", "/readyz", null, this::readyz),
                Route.of("GET", "/metrics", Scope.METRICS, this::metrics));
    }

    private void healthz(Exchange ex) throws Exception {
        ObjectNode body = Json.object();
        body.put("status", "ok");
        ex.sendJson(200, body);
    }

    /**
     * Not ready when this node cannot serve: its database is unreachable or it is shutting down.
     * Backends that are down make the node degraded, not unready: another node would find them down too.
     */
    private void readyz(Exchange ex) throws Exception {
        ObjectNode body = Json.object();
        ArrayNode reasons = Json.MAPPER.createArrayNode();
        if (draining.getAsBoolean()) {
            reasons.add("shutting down");
        }
        if (!store.isReachable()) {
            reasons.add("metadata database (" + store.dialect().name().toLowerCase() + ") is unreachable");
        }
        ArrayNode degraded = Json.MAPPER.createArrayNode();
        for (String model : models.modelNames()) {
            List<Backend> backends = models.backends(model);
            if (backends.stream().noneMatch(Backend::healthy)) {
                degraded.add("model '" + model + "' has no healthy backend");
            }
        }
        body.put("status", reasons.isEmpty() ? "ready" : "not_ready");
        body.set("reasons", reasons);
        body.set("degraded", degraded);
        ex.sendJson(reasons.isEmpty() ? 200 : 503, body);
    }

    private void metrics(Exchange ex) throws Exception {
        ex.send(200, "text/plain; version=0.0.4; charset=utf-8", prometheus.scrape().getBytes(StandardCharsets.UTF_8));
    }
}
