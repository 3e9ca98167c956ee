package io.cervella.app.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.core.http.StreamResponse;
import com.openai.errors.SseException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.cervella.app.testkit.FakeOpenAiServer;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.app.testkit.Yaml;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backends that fail before the first byte, during a stream, and that go away and come back. */
class FailoverTest {
    @TempDir Path dir;
    FakeOpenAiServer up1;
    FakeOpenAiServer up2;
    RunningPlatform platform;

    @AfterEach
    void stop() throws Exception {
        if (platform != null) platform.close();
        if (up1 != null) up1.close();
        if (up2 != null) up2.close();
    }

    private static final String CHAT = "{\"model\":\"baby\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM = "{\"model\":\"baby\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private String startWith(String settings, String... urls) throws Exception {
        platform = RunningPlatform.start(dir, Yaml.model(settings, urls));
        return platform.createKey("{\"name\":\"agent\",\"scopes\":[\"chat\"]}");
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void connectionRefusedFailsOverToTheNextBackend() throws Exception {
        up2 = new FakeOpenAiServer("up2").start();
        String key = startWith("", "http://127.0.0.1:" + closedPort() + "/v1", up2.baseUrl());
        for (String body : new String[] {CHAT, STREAM}) {
            HttpResponse<String> r = platform.post("/v1/chat/completions", key, body);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-cervella-backend")).hasValue("127.0.0.1:" + up2.port());
        }
    }

    @Test
    void a5xxBeforeTheFirstByteFailsOver() throws Exception {
        up1 = new FakeOpenAiServer("up1").start();
        up2 = new FakeOpenAiServer("up2").start();
        up1.mode = FakeOpenAiServer.Mode.ERROR_500;
        String key = startWith("", up1.baseUrl(), up2.baseUrl());
        HttpResponse<String> r = platform.post("/v1/chat/completions", key, STREAM);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("tok0").endsWith("data: [DONE]\n\n");
        assertThat(up2.chatRequests.get()).isEqualTo(1);
    }

    @Test
    void aBusyBackendPassesTheRequestOnButStaysInService() throws Exception {
        up1 = new FakeOpenAiServer("up1").start();
        up2 = new FakeOpenAiServer("up2").start();
        up1.mode = FakeOpenAiServer.Mode.RATE_LIMITED;
        String key = startWith("", up1.baseUrl(), up2.baseUrl());
        HttpResponse<String> r = platform.post("/v1/chat/completions", key, CHAT);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("hello from up2");
        assertThat(up1.chatRequests.get()).isEqualTo(1);
        assertThat(platform.get("/metrics", platform.adminKey()).body())
                .contains("cervella_backend_up{backend=\"127.0.0.1:" + up1.port() + "\",model=\"baby\"} 1.0");
    }

    @Test
    void aTimeoutBeforeTheFirstByteFailsOver() throws Exception {
        up1 = new FakeOpenAiServer("up1").start();
        up2 = new FakeOpenAiServer("up2").start();
        up1.mode = FakeOpenAiServer.Mode.HANG;
        String key = startWith("timeout_seconds: 1", up1.baseUrl(), up2.baseUrl());
        Instant t0 = Instant.now();
        HttpResponse<String> r = platform.post("/v1/chat/completions", key, CHAT);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("hello from up2");
        assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void whenEveryBackendFailsTheClientGetsA502ThatSaysWhy() throws Exception {
        up1 = new FakeOpenAiServer("up1").start();
        up1.mode = FakeOpenAiServer.Mode.ERROR_500;
        String key = startWith("", up1.baseUrl(), "http://127.0.0.1:" + closedPort() + "/v1");
        HttpResponse<String> r = platform.post("/v1/chat/completions", key, CHAT);
        assertThat(r.statusCode()).isEqualTo(502);
        var error = RunningPlatform.json(r).path("error");
        assertThat(error.path("code").asString()).isEqualTo("backends_unavailable");
        assertThat(error.path("message").asString()).contains("answered HTTP 500").contains("connection refused");
    }

    @Test
    void aBackendDyingMidStreamEndsTheStreamWithAnErrorEvent() throws Exception {
        up1 = new FakeOpenAiServer("up1").start();
        up2 = new FakeOpenAiServer("up2").start();
        up1.mode = FakeOpenAiServer.Mode.DIE_MID_STREAM;
        String key = startWith("", up1.baseUrl(), up2.baseUrl());

        HttpResponse<String> raw = platform.post("/v1/chat/completions", key, STREAM);
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).contains("tok0 ", "tok1 ").doesNotContain("tok2").doesNotContain("[DONE]");
        assertThat(raw.body()).contains("\"code\":\"backend_failed_mid_stream\"");
        assertThat(up2.chatRequests.get()).isZero(); // bytes had gone out: no silent retry elsewhere

        // up1 was taken out by its failure; its probes pass, so it comes back and is first again.
        String up1Up = "cervella_backend_up{backend=\"127.0.0.1:" + up1.port() + "\",model=\"baby\"} 1.0";
        waitUntil(() -> platform.get("/metrics", platform.adminKey()).body().contains(up1Up));
        // The official client sees the error event as an exception, not as a truncated success.
        StringBuilder seen = new StringBuilder();
        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> s = platform.openai(key).chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model("baby").addUserMessage("hi").build())) {
                s.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(seen::append)));
            }
        }).isInstanceOf(SseException.class).hasMessageContaining("failed during the answer");
    }

    @Test
    void aStreamThatFallsSilentEndsWithAnErrorEventAfterTheTimeout() throws Exception {
        up1 = new FakeOpenAiServer("up1").start();
        up1.mode = FakeOpenAiServer.Mode.STALL_MID_STREAM;
        String key = startWith("timeout_seconds: 1", up1.baseUrl());
        Instant t0 = Instant.now();
        HttpResponse<String> r = platform.post("/v1/chat/completions", key, STREAM);
        assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(10));
        assertThat(r.body()).contains("tok1 ").contains("\"code\":\"backend_failed_mid_stream\"").doesNotContain("[DONE]");
    }

    @Test
    void aBackendThatGoesAwayIsTakenOutAndProbedBackIn() throws Exception {
        up1 = new FakeOpenAiServer("up1").start();
        up2 = new FakeOpenAiServer("up2").start();
        String key = startWith("", up1.baseUrl(), up2.baseUrl());
        String first = "127.0.0.1:" + up1.port();
        String second = "127.0.0.1:" + up2.port();
        assertThat(platform.post("/v1/chat/completions", key, CHAT).headers().firstValue("x-cervella-backend")).hasValue(first);

        int port = up1.port();
        up1.stop();
        // Every request still succeeds: the first after the stop fails over, the rest skip the dead one.
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = platform.post("/v1/chat/completions", key, CHAT);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-cervella-backend")).hasValue(second);
        }
        assertThat(platform.get("/metrics", platform.adminKey()).body())
                .contains("cervella_backend_up{backend=\"" + first + "\",model=\"baby\"} 0.0");
        assertThat(RunningPlatform.json(platform.get("/readyz", null)).path("degraded")).isEmpty();

        up1.startOn(port);
        waitUntil(() -> platform.post("/v1/chat/completions", key, CHAT).headers().firstValue("x-cervella-backend")
                .orElse("").equals(first));
        assertThat(platform.get("/metrics", platform.adminKey()).body())
                .contains("cervella_backend_up{backend=\"" + first + "\",model=\"baby\"} 1.0");
    }

    @Test
    void readinessReportsAModelWithNoHealthyBackendAsDegraded() throws Exception {
        up1 = new FakeOpenAiServer("up1").start();
        up1.mode = FakeOpenAiServer.Mode.ERROR_500;
        startWith("", up1.baseUrl());
        waitUntil(() -> RunningPlatform.json(platform.get("/readyz", null)).path("degraded").size() == 1);
        HttpResponse<String> r = platform.get("/readyz", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("model 'baby' has no healthy backend");
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitUntil(Check check) throws Exception {
        Instant deadline = Instant.now().plusSeconds(10);
        while (!check.ok()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(50);
        }
    }
}
