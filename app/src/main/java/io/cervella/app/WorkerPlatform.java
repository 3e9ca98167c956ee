package io.cervella.app;

import io.cervella.app.server.ApiDispatcher;
import io.cervella.app.server.HttpsServer;
import io.cervella.core.config.ServerConfig;
import io.cervella.core.http.Json;
import io.cervella.core.http.Route;
import io.cervella.core.keys.NodeToken;
import io.cervella.core.tls.TlsMaterial;
import io.cervella.inference.engine.Engine;
import io.cervella.inference.worker.WorkerEndpoints;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * The composition root of {@code cervella worker}: the engine for one GGUF file behind the same HTTPS
 * server as the core, answering only to the node token.
 */
public final class WorkerPlatform implements AutoCloseable {
    private final Engine engine;
    private final HttpsServer server;

    public record Settings(Path model, String modelName, String bind, int port, int threads, int context, int slots) {}

    private WorkerPlatform(Engine engine, HttpsServer server) {
        this.engine = engine;
        this.server = server;
    }

    public static WorkerPlatform start(Settings s, TlsMaterial tls, String nodeToken) throws Exception {
        int[] reported = {0};
        Engine engine = new Engine(s.model(), s.threads(), s.context(), s.slots(), fraction -> {
            int percent = (int) (fraction * 100);
            if (percent >= reported[0] + 10 || (percent == 100 && reported[0] < 100)) { // one line per tenth
                reported[0] = percent;
                System.out.printf("cervella worker: weights read %d%%%n", percent);
            }
        });
        try {
            List<Route> routes = new ArrayList<>();
            routes.add(Route.of("GET", "/healthz", null, ex -> {
                ObjectNode ok = Json.object();
                ok.put("status", "ok");
                ex.sendJson(200, ok);
            }));
            routes.add(Route.of("GET", "/readyz", null, ex -> {
                ObjectNode ok = Json.object();
                ok.put("status", "ready");
                ok.put("model", s.modelName());
                ex.sendJson(200, ok);
            }));
            routes.addAll(new WorkerEndpoints(engine, s.modelName()).routes());
            HttpsServer server = new HttpsServer(new ServerConfig(s.bind(), s.port(), List.of(), 4L * 1024 * 1024, 10), tls,
                    new ApiDispatcher(routes, new NodeToken(nodeToken), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                            4L * 1024 * 1024));
            server.start();
            return new WorkerPlatform(engine, server);
        } catch (Exception | Error e) {
            engine.close();
            throw e;
        }
    }

    public int port() { return server.port(); }

    public Engine engine() { return engine; }

    @Override
    public void close() {
        try {
            server.close();
        } catch (Exception ignored) {
            // stopping anyway
        }
        engine.close();
    }
}
