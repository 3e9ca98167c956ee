package io.cervella.app.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.testkit.FakeOpenAiServer;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.app.testkit.Yaml;
import io.cervella.core.http.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * POST /memory/collections/{name}/ask on the running platform: real retrieval (the in-process model,
 * Lucene), the chat model behind the gateway an OpenAI-compatible server that answers by citing the
 * source its prompt numbered for the document the test expects.
 */
class AskApiTest {
    @TempDir Path dir;
    private FakeOpenAiServer backend;
    private RunningPlatform p;
    private String key;

    private static final String DECISIONS = """
            # Decisioni

            Abbiamo scelto PostgreSQL per i metadati condivisi tra i nodi, perché SQLite non regge più scrittori.

            ## Backup

            I backup notturni vanno in due regioni; il ripristino è provato ogni settimana.
            """;
    private static final String WEATHER = "It rained all week in Milan, and the team stayed inside.";
    private static final String GPU = """
            # GPU

            The inference box is an L4 rented by the hour; Cervella Baby answers in under two seconds there.
            """;

    @BeforeEach
    void start() throws Exception {
        backend = new FakeOpenAiServer("gpu").start();
        // answers "<the sentence> [n]" with n the source whose header names the document in the question
        backend.reply = req -> {
            String prompt = req.path("messages").path(1).path("content").asString();
            Matcher q = Pattern.compile("Question: (.*)").matcher(prompt);
            q.find();
            String doc = q.group(1).contains("PostgreSQL") ? "notes/decisioni.md" : "gpu.md";
            Matcher m = Pattern.compile("(?m)^\\[(\\d+)] " + Pattern.quote(doc)).matcher(prompt);
            return m.find() ? "The team chose it for shared metadata [" + m.group(1) + "], see also [99]." : "I do not know.";
        };
        p = RunningPlatform.start(dir, Yaml.model("", backend.baseUrl()).replace("  - name: baby\n",
                "  - name: baby\n    context_tokens: 2048\n"));
        key = p.createKey("{\"name\":\"agent\",\"scopes\":[\"memory\",\"chat\"]}");
        p.post("/memory/collections", key, "{\"name\":\"sncp\"}");
        put("notes/decisioni.md", DECISIONS);
        put("meteo.md", WEATHER);
        put("gpu.md", GPU);
    }

    @AfterEach
    void stop() throws Exception {
        p.close();
        backend.close();
    }

    @Test
    void answersWithTheCitedChunkAndItsOffsets() throws Exception {
        var r = p.post("/memory/collections/sncp/ask", key, "{\"question\":\"Why PostgreSQL for the metadata?\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode a = RunningPlatform.json(r);
        assertThat(a.path("model").asString()).isEqualTo("baby");
        assertThat(a.path("answer").asString()).startsWith("The team chose it for shared metadata [");
        assertThat(a.path("citations")).as("[99] is no source: ignored").hasSize(1);
        JsonNode c = a.path("citations").get(0);
        assertThat(c.path("document").asString()).isEqualTo("notes/decisioni.md");
        assertThat(c.path("headings").get(0).asString()).isEqualTo("Decisioni");
        assertThat(DECISIONS.substring(c.path("start").asInt(), c.path("end").asInt())).isEqualTo(c.path("text").asString());
        assertThat(c.path("text").asString()).contains("PostgreSQL");
        assertThat(a.path("sources").size()).isGreaterThanOrEqualTo(3);
        assertThat(a.path("usage").path("prompt_tokens").asLong()).isEqualTo(11);

        // what the gateway sent upstream: the backend's model name, system + user, the sources and question
        JsonNode sent = backend.lastRequest;
        assertThat(sent.path("model").asString()).isEqualTo("Qwen/Qwen3-4B");
        assertThat(sent.path("messages").get(0).path("role").asString()).isEqualTo("system");
        String user = sent.path("messages").get(1).path("content").asString();
        assertThat(user).contains("notes/decisioni.md > Decisioni", "Question: Why PostgreSQL for the metadata?");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(512);
        assertThat(sent.has("chat_template_kwargs")).as("only when asked").isFalse();
        p.post("/memory/collections/sncp/ask", key, "{\"question\":\"PostgreSQL?\",\"thinking\":false}");
        assertThat(backend.lastRequest.path("chat_template_kwargs").path("enable_thinking").isBoolean()).isTrue();
        assertThat(backend.lastRequest.path("chat_template_kwargs").path("enable_thinking").asBoolean()).isFalse();

        // the chat completions are in the usage ledger, charged to the key
        JsonNode rows = RunningPlatform.json(p.get("/admin/usage?by=key&since=1h", p.adminKey())).path("data");
        assertThat(rows).anySatisfy(row -> assertThat(row.path("requests").asLong()).isEqualTo(2));
    }

    @Test
    void streamsSourcesThenTheAnswerThenCitations() throws Exception {
        var r = p.post("/memory/collections/sncp/ask", key,
                "{\"question\":\"Where does inference run on a GPU?\",\"stream\":true,\"mode\":\"vector\",\"k\":3}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        List<String> data = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: ")) {
                data.add(line.substring(6));
            }
        }
        assertThat(data.getLast()).isEqualTo("[DONE]");
        JsonNode first = Json.MAPPER.readTree(data.getFirst());
        assertThat(first.path("object").asString()).isEqualTo("memory.sources");
        assertThat(first.path("sources")).hasSize(3);
        StringBuilder answer = new StringBuilder();
        for (String d : data.subList(1, data.size() - 2)) {
            JsonNode delta = Json.MAPPER.readTree(d);
            assertThat(delta.path("object").asString()).isEqualTo("memory.answer.delta");
            answer.append(delta.path("content").asString());
        }
        JsonNode done = Json.MAPPER.readTree(data.get(data.size() - 2));
        assertThat(done.path("object").asString()).isEqualTo("memory.answer.done");
        assertThat(done.path("answer").asString()).isEqualTo(answer.toString()).contains("shared metadata [");
        assertThat(done.path("citations")).hasSize(1);
        assertThat(done.path("citations").get(0).path("document").asString()).isEqualTo("gpu.md");
        assertThat(done.path("finish_reason").asString()).isEqualTo("stop");
    }

    @Test
    void thePromptStaysWithinTheModelsContext() throws Exception {
        // 40 long notes: far more than a 2048-token context holds with a 1000-token answer
        for (int i = 0; i < 40; i++) {
            put("long/" + i + ".md", ("PostgreSQL note " + i + ": ").repeat(30) + "the metadata database of the team.");
        }
        var r = p.post("/memory/collections/sncp/ask", key,
                "{\"question\":\"PostgreSQL metadata?\",\"k\":40,\"max_tokens\":1000}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode sent = backend.lastRequest;
        int chars = 0;
        for (JsonNode m : sent.path("messages")) {
            chars += m.path("content").asString().length();
        }
        // three characters a token is the estimate the prompt is fitted with; it must fit 2048 - 1000
        assertThat((chars + 2) / 3).isLessThanOrEqualTo(2048 - 1000);
        int sources = RunningPlatform.json(r).path("sources").size();
        assertThat(sources).isGreaterThan(0).isLessThan(40);
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(1000);
    }

    @Test
    void refusalsAreClearErrors() throws Exception {
        String memoryOnly = p.createKey("{\"name\":\"reader\",\"scopes\":[\"memory\"]}");
        assertError(p.post("/memory/collections/sncp/ask", memoryOnly, "{\"question\":\"x\"}"), 403, "insufficient_scope");
        assertError(p.post("/memory/collections/sncp/ask", key, "{}"), 400, "invalid_request");
        assertError(p.post("/memory/collections/sncp/ask", key, "{\"question\":\"x\",\"k\":0}"), 400, "invalid_value");
        assertError(p.post("/memory/collections/sncp/ask", key, "{\"question\":\"x\",\"stream\":\"yes\"}"), 400, "invalid_type");
        assertError(p.post("/memory/collections/sncp/ask", key, "{\"question\":\"x\",\"max_tokens\":4000}"), 400, "invalid_value");
        assertError(p.post("/memory/collections/sncp/ask", key, "{\"question\":\"x\",\"temperature\":7}"), 400, "invalid_value");
        assertError(p.post("/memory/collections/sncp/ask", key, "{\"question\":\"x\",\"thinking\":\"no\"}"), 400, "invalid_type");
        assertError(p.post("/memory/collections/nope/ask", key, "{\"question\":\"x\"}"), 404, "collection_not_found");
        assertError(p.post("/memory/collections/sncp/ask", key, "{\"question\":\"x\",\"model\":\"gpt-9\"}"), 404, "model_not_found");
        assertError(p.post("/memory/collections/sncp/ask", key,
                "{\"question\":\"" + "very long question ".repeat(500) + "\"}"), 400, "context_length_exceeded");
        // the backend fails before answering: an HTTP error even for a stream, which has not started
        backend.mode = FakeOpenAiServer.Mode.ERROR_500;
        assertError(p.post("/memory/collections/sncp/ask", key, "{\"question\":\"x\",\"stream\":true}"), 502, "backends_unavailable");
    }

    @Test
    void aStreamThatBreaksOffEndsWithAnErrorEvent() throws Exception {
        backend.mode = FakeOpenAiServer.Mode.DIE_MID_STREAM;
        backend.reply = req -> "one two three four five";
        var r = p.post("/memory/collections/sncp/ask", key, "{\"question\":\"GPU?\",\"stream\":true}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("memory.answer.delta", "backend_failed_mid_stream").doesNotContain("[DONE]");
    }

    private void put(String id, String content) throws Exception {
        var r = p.post("/memory/collections/sncp/documents", key,
                "{\"id\":" + Json.MAPPER.writeValueAsString(id) + ",\"content\":" + Json.MAPPER.writeValueAsString(content) + "}");
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    }

    private static void assertError(java.net.http.HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(RunningPlatform.json(r).path("error").path("code").asString()).isEqualTo(code);
    }
}
