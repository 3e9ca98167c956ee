package io.cervella.app.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.testkit.FakeOpenAiServer;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.app.testkit.Yaml;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** Bad input gets a 4xx in the OpenAI error shape, never a 500, and nothing reaches the backend. */
class ErrorPathsTest {
    @TempDir static Path dir;
    static FakeOpenAiServer up;
    static RunningPlatform platform;
    static String chatKey;
    static String metricsKey;

    @BeforeAll
    static void start() throws Exception {
        up = new FakeOpenAiServer("up").start();
        platform = RunningPlatform.start(dir, "server:\n  max_body_bytes: 65536\n" + Yaml.model("", up.baseUrl()));
        chatKey = platform.createKey("{\"name\":\"chat\",\"scopes\":[\"chat\"]}");
        metricsKey = platform.createKey("{\"name\":\"metrics\",\"scopes\":[\"metrics\"]}");
    }

    @AfterAll
    static void stop() throws Exception {
        platform.close();
        up.close();
    }

    private static JsonNode error(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode e = RunningPlatform.json(r).path("error");
        assertThat(e.path("message").isString()).isTrue();
        assertThat(e.path("type").isString()).isTrue();
        assertThat(e.path("code").isString()).isTrue();
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{not json",
            "{\"model\":\"baby\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} trailing",
            "",
            "[1,2]",
            "{\"model\":[\"baby\"],\"messages\":[]}",
            "{\"model\":\"baby\",\"messages\":{\"role\":\"user\"}}",
            "{\"model\":\"baby\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":1}",
            "{\"model\":\"baby\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":3}",
    })
    void malformedRequestsAre400(String body) throws Exception {
        int before = up.chatRequests.get();
        JsonNode e = error(platform.post("/v1/chat/completions", chatKey, body), 400);
        assertThat(e.path("type").asString()).isEqualTo("invalid_request_error");
        assertThat(up.chatRequests.get()).isEqualTo(before);
    }

    @Test
    void anUnknownModelIs404() throws Exception {
        JsonNode e = error(platform.post("/v1/chat/completions", chatKey,
                "{\"model\":\"gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 404);
        assertThat(e.path("code").asString()).isEqualTo("model_not_found");
        assertThat(e.path("message").asString()).contains("gpt-9");
    }

    @Test
    void anOversizedBodyIs413() throws Exception {
        String big = "{\"model\":\"baby\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(70_000) + "\"}]}";
        JsonNode e = error(platform.post("/v1/chat/completions", chatKey, big), 413);
        assertThat(e.path("message").asString()).contains("65536");
        // Without a Content-Length (chunked upload) the limit holds too.
        JsonNode chunked = error(platform.send("/v1/chat/completions", chatKey,
                HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes()))), 413);
        assertThat(chunked.path("code").asString()).isEqualTo("request_too_large");
    }

    @Test
    void missingAndWrongKeysAre401() throws Exception {
        String body = "{\"model\":\"baby\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertThat(error(platform.post("/v1/chat/completions", null, body), 401).path("type").asString())
                .isEqualTo("authentication_error");
        error(platform.post("/v1/chat/completions", "ck_" + "A".repeat(55), body), 401);
        error(platform.post("/v1/chat/completions", "sk-not-ours", body), 401);
        error(platform.get("/v1/models", "Basic abc"), 401);
    }

    @Test
    void aKeyWithoutTheScopeIs403() throws Exception {
        JsonNode e = error(platform.get("/v1/models", metricsKey), 403);
        assertThat(e.path("message").asString()).contains("'chat' scope");
        error(platform.get("/admin/keys", chatKey), 403);
        error(platform.get("/metrics", chatKey), 403);
        assertThat(platform.get("/metrics", metricsKey).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownRoutesAndMethodsAreJsonErrors() throws Exception {
        error(platform.get("/v2/nothing", chatKey), 404);
        error(platform.get("/v1/chat/completions", chatKey), 405);
    }

    @Test
    void badAdminInputIs400NotA500() throws Exception {
        for (String body : new String[] {
                "{\"name\":\"x\",\"scopes\":[\"chat\"],\"rpm\":5000000000}",
                "{\"name\":\"x\",\"scopes\":[{}]}",
                "{\"name\":\"x\",\"scopes\":{}}",
                "{\"name\":\"x\",\"scopes\":[\"chat\"],\"budget_usd\":\"lots\"}",
                "{\"name\":5,\"scopes\":[\"chat\"]}",
                "{\"name\":\"x\",\"scopes\":[\"root\"]}",
        }) {
            error(platform.post("/admin/keys", platform.adminKey(), body), 400);
        }
        error(platform.get("/admin/usage?since=99999999999999d", platform.adminKey()), 400);
        error(platform.get("/admin/usage?by=planet", platform.adminKey()), 400);
    }

    @Test
    void madeUpMethodsDoNotGrowTheMetrics() throws Exception {
        for (int i = 0; i < 3; i++) {
            var r = platform.sendMethod("FOO" + i, "/v1/models", chatKey);
            assertThat(r.statusCode()).isEqualTo(405);
        }
        String metrics = platform.get("/metrics", metricsKey).body();
        assertThat(metrics).contains("method=\"OTHER\"").doesNotContain("FOO1");
    }

    @Test
    void healthAndReadinessAreOpen() throws Exception {
        HttpResponse<String> h = platform.get("/healthz", null);
        assertThat(h.statusCode()).isEqualTo(200);
        assertThat(RunningPlatform.json(h).path("status").asString()).isEqualTo("ok");
        HttpResponse<String> r = platform.get("/readyz", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(RunningPlatform.json(r).path("reasons")).isEmpty();
    }

    @Test
    void aBackendsOwn4xxIsPassedOnAsItIsAndDoesNotCountAsAFailure() throws Exception {
        for (boolean stream : new boolean[] {false, true}) {
            HttpResponse<String> r = platform.post("/v1/chat/completions", chatKey, "{\"model\":\"baby\",\"stream\":" + stream
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":7}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("temperature must be in [0, 2]");
        }
        assertThat(platform.get("/metrics", metricsKey).body()).contains("cervella_backend_up{backend=\"127.0.0.1:" + up.port()
                + "\",model=\"baby\"} 1.0");
    }
}
