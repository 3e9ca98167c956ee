package io.cervella.app.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.cervella.core.tls.TlsContexts;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP makes a running server re-read its config, as nginx does. */
class ReloadSignalTest {
    @TempDir Path dir;

    @Test
    void sighupServesAnAppAddedToTheFile() throws Exception {
        HttpServer up = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        up.createContext("/", ex -> {
            byte[] b = "hello from the app".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        up.start();
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("cervella.yaml"), "edge: {}\n");
            try (ServerProcess server = ServerProcess.start(dir)) {
                HttpClient http = HttpClient.newBuilder().sslContext(TlsContexts.clientTrusting(dir.resolve("tls/ca.pem"))).build();
                HttpRequest req = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/apps/hello/")).build();
                assertThat(http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
                Files.writeString(dir.resolve("cervella.yaml"), "edge:\n  apps:\n    - {name: hello, auth: none, upstreams: [{url: http://127.0.0.1:"
                        + up.getAddress().getPort() + "}]}\n");
                new ProcessBuilder("kill", "-HUP", Long.toString(server.pid())).inheritIO().start().waitFor();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                HttpResponse<String> r;
                do {
                    Thread.sleep(100);
                    r = http.send(req, HttpResponse.BodyHandlers.ofString());
                } while (r.statusCode() != 200 && System.nanoTime() < deadline);
                assertThat(r.statusCode()).as(server::transcript).isEqualTo(200);
                assertThat(r.body()).isEqualTo("hello from the app");
                assertThat(server.alive()).isTrue();
            }
        } finally {
            up.stop(0);
        }
    }
}
