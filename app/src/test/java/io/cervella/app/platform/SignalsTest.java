package io.cervella.app.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.app.testkit.FakeOpenAiServer;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.app.testkit.Yaml;
import io.cervella.core.tls.TlsContexts;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** SIGTERM drains in-flight streams; kill -9 loses no acknowledged usage row. */
class SignalsTest {
    @TempDir Path dir;

    private static final String STREAM = "{\"model\":\"baby\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private HttpClient client(Path data) throws Exception {
        return HttpClient.newBuilder().sslContext(TlsContexts.clientTrusting(data.resolve("tls/ca.pem")))
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    private static HttpRequest chat(String base, String key, String body) {
        return HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    void sigtermLetsAnInFlightStreamFinishThenExits() throws Exception {
        try (FakeOpenAiServer up = new FakeOpenAiServer("up").start()) {
            up.tokens = 8;
            up.tokenDelayMillis = 250; // a two-second answer
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("cervella.yaml"), Yaml.model("", up.baseUrl()));
            try (ServerProcess server = ServerProcess.start(dir)) {
                String key = Files.readString(dir.resolve("admin.key")).strip();
                HttpClient http = client(dir);
                HttpResponse<InputStream> r = http.send(chat(server.baseUrl(), key, STREAM),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertThat(r.statusCode()).isEqualTo(200);
                BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
                List<String> got = new ArrayList<>();
                String first;
                do {
                    first = lines.readLine();
                } while (first != null && first.isEmpty());
                got.add(first);

                server.sigterm(); // the stream is under way
                Thread.sleep(300);
                assertThatThrownBy(() -> http.send(chat(server.baseUrl(), key, STREAM), HttpResponse.BodyHandlers.ofString()))
                        .as("no new requests while draining").isInstanceOf(Exception.class);

                String line;
                while ((line = lines.readLine()) != null) {
                    if (!line.isEmpty()) {
                        got.add(line);
                    }
                }
                assertThat(String.join("\n", got)).contains("tok7").endsWith("data: [DONE]");
                int exit = server.waitFor(30);
                assertThat(exit).isIn(0, 143);
            }
        }
    }

    @Test
    void aStreamLongerThanTheShutdownTimeoutEndsWithAnErrorEventNotACut() throws Exception {
        try (FakeOpenAiServer up = new FakeOpenAiServer("up").start()) {
            up.tokens = 60;
            up.tokenDelayMillis = 500; // a thirty-second answer
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("cervella.yaml"), "server:\n  shutdown_timeout_seconds: 4\n"
                    + Yaml.model("", up.baseUrl()));
            try (ServerProcess server = ServerProcess.start(dir)) {
                String key = Files.readString(dir.resolve("admin.key")).strip();
                HttpResponse<InputStream> r = client(dir).send(chat(server.baseUrl(), key, STREAM),
                        HttpResponse.BodyHandlers.ofInputStream());
                BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
                lines.readLine();
                long t0 = System.nanoTime();
                server.sigterm();
                StringBuilder rest = new StringBuilder();
                String line;
                while ((line = lines.readLine()) != null) {
                    rest.append(line).append('\n');
                }
                assertThat(rest.toString()).contains("\"code\":\"server_shutting_down\"").doesNotContain("tok59");
                assertThat((System.nanoTime() - t0) / 1e9).isLessThan(15);
                assertThat(server.waitFor(30)).isIn(0, 143);
            }
        }
    }

    @Test
    void kill9LosesNoAcknowledgedUsage() throws Exception {
        try (FakeOpenAiServer up = new FakeOpenAiServer("up").start()) {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("cervella.yaml"), Yaml.model("", up.baseUrl()));
            String key;
            int answered = 0;
            try (ServerProcess server = ServerProcess.start(dir)) {
                key = Files.readString(dir.resolve("admin.key")).strip();
                HttpClient http = client(dir);
                for (int i = 0; i < 20; i++) {
                    String body = i % 2 == 0 ? STREAM : STREAM.replace("\"stream\":true", "\"stream\":false");
                    HttpResponse<String> r = http.send(chat(server.baseUrl(), key, body), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(200);
                    answered++;
                }
                server.sigkill();
                server.waitFor(10);
            }
            try (RunningPlatform again = RunningPlatform.start(dir, Yaml.model("", up.baseUrl()))) {
                JsonNode rows = RunningPlatform.json(again.get("/admin/usage?by=key&since=1h", key)).path("data");
                assertThat(rows).hasSize(1);
                assertThat(rows.get(0).path("requests").asLong()).isEqualTo(answered);
            }
        }
    }
}
