package io.cervella.app.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.synth.ModelSynth;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model of type embedded: the core starts its worker as a child process, routes to it over TLS with
 * a node token, starts it again after kill -9, and stops it on shutdown.
 */
class EmbeddedBackendTest {
    @TempDir Path dir;

    private static void waitUntil(String what, FailoverCheck check) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (!check.ok()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(100);
        }
    }

    interface FailoverCheck {
        boolean ok() throws Exception;
    }

    /** The memory's ask calls the gateway in-process; here the real engine in the worker answers. */
    private static void askThroughTheWorker(RunningPlatform p, String key) throws Exception {
        p.post("/memory/collections", key, "{\"name\":\"notes\"}");
        p.post("/memory/collections/notes/documents", key, "{\"id\":\"gpu.md\",\"content\":\"# GPU\\n\\nThe L4 box serves Cervella Baby.\"}");
        var plain = p.post("/memory/collections/notes/ask", key, "{\"question\":\"Which box serves the model?\",\"max_tokens\":6,\"temperature\":0}");
        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
        var answer = RunningPlatform.json(plain);
        assertThat(answer.path("model").asString()).isEqualTo("cervella-baby");
        assertThat(answer.path("sources").get(0).path("document").asString()).isEqualTo("gpu.md");
        assertThat(answer.path("usage").path("completion_tokens").asLong()).isBetween(1L, 6L);
        assertThat(answer.path("usage").path("prompt_tokens").asLong()).isGreaterThan(50);
        var streamed = p.post("/memory/collections/notes/ask", key,
                "{\"question\":\"Which box serves the model?\",\"max_tokens\":6,\"temperature\":0,\"stream\":true}");
        assertThat(streamed.body()).contains("memory.sources", "memory.answer.done").endsWith("data: [DONE]\n\n");
        // temperature 0 through the same engine: the streamed answer is the plain one
        String done = java.util.Arrays.stream(streamed.body().split("\n")).filter(l -> l.contains("memory.answer.done"))
                .findFirst().orElseThrow().substring(6);
        assertThat(io.cervella.core.http.Json.MAPPER.readTree(done).path("answer").asString())
                .isEqualTo(answer.path("answer").asString());
    }

    @Test
    void theCoreRunsRestartsAndStopsItsWorker() throws Exception {
        Path model = dir.resolve("baby.gguf");
        ModelSynth.write(new ModelSynth.Spec(ModelSynth.Arch.QWEN3, ModelSynth.Size.TINY, GgmlType.Q8_0, 4), model);
        String yaml = "models:\n  - name: cervella-baby\n    backends:\n      - type: embedded\n        path: " + model + "\n";
        Process first;
        try (RunningPlatform p = RunningPlatform.start(dir.resolve("data"), yaml)) {
            String key = p.createKey("{\"name\":\"agent\",\"scopes\":[\"chat\",\"memory\"]}");
            waitUntil("worker ready", () -> RunningPlatform.json(p.get("/readyz", null)).path("degraded").isEmpty());
            ChatCompletion c = p.openai(key).chat().completions().create(ChatCompletionCreateParams.builder()
                    .model("cervella-baby").addUserMessage("Ciao").maxCompletionTokens(8).temperature(0.0).build());
            assertThat(c.usage().orElseThrow().completionTokens()).isBetween(1L, 8L);
            assertThat(c.model()).isEqualTo("cervella-baby");
            askThroughTheWorker(p, key);

            first = p.platform().workerProcesses().getFirst();
            first.destroyForcibly(); // kill -9
            first.waitFor();
            // The core survives, takes the backend out, starts a new worker, and serves again.
            assertThat(p.get("/healthz", null).statusCode()).isEqualTo(200);
            waitUntil("a new worker", () -> !p.platform().workerProcesses().isEmpty()
                    && p.platform().workerProcesses().getFirst().pid() != first.pid()
                    && RunningPlatform.json(p.get("/readyz", null)).path("degraded").isEmpty());
            var again = p.post("/v1/chat/completions", key,
                    "{\"model\":\"cervella-baby\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"Ciao\"}]}");
            assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
            Process second = p.platform().workerProcesses().getFirst();
            p.close();
            assertThat(second.isAlive()).isFalse();
        }
    }
}
