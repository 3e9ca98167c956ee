package io.cervella.app.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.testkit.RunningPlatform;
import io.cervella.core.tls.TlsContexts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** kill -9 of cervella serve while agents write to the memory: every acknowledged document is there after. */
class MemoryKillTest {
    @TempDir Path dir;

    @Test
    void kill9LosesNoAcknowledgedDocument() throws Exception {
        Files.createDirectories(dir);
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        String key;
        try (ServerProcess server = ServerProcess.start(dir)) {
            key = Files.readString(dir.resolve("admin.key")).strip();
            HttpClient http = HttpClient.newBuilder().sslContext(TlsContexts.clientTrusting(dir.resolve("tls/ca.pem")))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            assertThat(http.send(post(server.baseUrl() + "/memory/collections", key, "{\"name\":\"sncp\"}"),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
            AtomicBoolean killed = new AtomicBoolean();
            CountDownLatch enough = new CountDownLatch(40);
            List<Thread> writers = new java.util.ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; !killed.get(); i++) {
                        String id = "w" + writer + "/n" + i + ".md";
                        String body = "{\"id\":\"" + id + "\",\"content\":\"# Nota " + i + "\\n\\nParola unica tok" + writer + "x" + i
                                + " scritta dallo scrittore " + writer + ".\"}";
                        try {
                            var r = http.send(post(server.baseUrl() + "/memory/collections/sncp/documents", key, body),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 201) {
                                acknowledged.add(id);
                                enough.countDown();
                            }
                        } catch (Exception e) {
                            return; // the server is gone
                        }
                    }
                }));
            }
            enough.await();
            server.sigkill(); // while the writers are still writing
            killed.set(true);
            server.waitFor(10);
            for (Thread t : writers) {
                t.join();
            }
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(40);
        try (RunningPlatform again = RunningPlatform.start(dir, "")) {
            for (String id : acknowledged) {
                assertThat(again.get("/memory/collections/sncp/documents?id=" + id, key).statusCode()).as(id).isEqualTo(200);
                String token = "tok" + id.charAt(1) + "x" + id.substring(id.indexOf("/n") + 2, id.length() - 3);
                JsonNode hits = RunningPlatform.json(again.post("/memory/collections/sncp/search", key,
                        "{\"query\":\"" + token + "\",\"mode\":\"keyword\",\"k\":1}"));
                assertThat(hits.path("data").get(0).path("document").asString()).as(token).isEqualTo(id);
            }
        }
    }

    private static HttpRequest post(String url, String key, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
