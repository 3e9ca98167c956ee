package io.cervella.edge;

import io.cervella.core.config.YamlConfigReader;
import io.cervella.core.keys.ApiKeyRecord;
import io.cervella.core.keys.Scope;
import io.cervella.edge.config.EdgeConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The edge on a real Jetty server (plain HTTP: TLS is the listener's business, tested with the
 * platform), listening on every address (IPv4 and IPv6), with a stand-in for the platform's API that
 * answers "api". Keys: "ck_apps" has the apps scope, "ck_chat" does not.
 */
final class EdgeUnderTest implements AutoCloseable {
    final Server server;
    final ServerConnector connector;
    final Edge edge;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    EdgeUnderTest(String yaml, Path dataDir) throws Exception {
        EdgeConfig config = YamlConfigReader.parse(yaml, EdgeConfig.class, "test");
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        edge = new Edge(config, dataDir, registry, presented -> switch (presented) {
            case "ck_apps" -> Optional.of(key("apps1", Scope.APPS));
            case "ck_chat" -> Optional.of(key("chat1", Scope.CHAT));
            default -> Optional.empty();
        }, null);
        edge.configure(http);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("::"); // dual stack: 127.0.0.1 and ::1 both reach it
        connector.setPort(0);
        server.addConnector(connector);
        edge.attach(server, connector);
        server.setHandler(edge.handler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.write(true, ByteBuffer.wrap("api".getBytes()), callback);
                return true;
            }
        }));
        server.start();
    }

    private static ApiKeyRecord key(String id, Scope scope) {
        return new ApiKeyRecord(id, id, Set.of(scope), null, null, null, Instant.EPOCH, null);
    }

    int port() {
        return connector.getLocalPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    Edge.ReloadResult reload(String yaml) throws Exception {
        return edge.reload(YamlConfigReader.parse(yaml, EdgeConfig.class, "test"));
    }

    @Override
    public void close() throws Exception {
        server.stop();
        edge.close();
    }
}
