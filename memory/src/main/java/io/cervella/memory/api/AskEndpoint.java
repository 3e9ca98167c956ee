package io.cervella.memory.api;

import static io.cervella.memory.api.RequestFields.object;
import static io.cervella.memory.api.RequestFields.string;

import io.cervella.core.http.ApiException;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Json;
import io.cervella.core.http.Route;
import io.cervella.core.keys.Scope;
import io.cervella.memory.MemoryService;
import io.cervella.memory.ask.AskService;
import io.cervella.memory.ask.Source;
import io.cervella.memory.embedding.EmbeddingUnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /memory/collections/{name}/ask}: an answer from the collection with the sources it cites.
 * Needs scope {@code memory}, and {@code chat} too, since the answer is a chat completion charged to
 * the key. Streamed ({@code "stream": true}) as server-sent events: {@code memory.sources}, then
 * {@code memory.answer.delta} pieces, then {@code memory.answer.done} with the citations, then
 * {@code [DONE]}. The stream starts with the answer's first piece, so that a refusal of the chat model
 * (unknown model, limits, budget, backends down) still comes as an HTTP error status.
 */
public final class AskEndpoint {
    static final int DEFAULT_K = 8;

    private final AskService asks;

    public AskEndpoint(AskService asks) {
        this.asks = asks;
    }

    public List<Route> routes() {
        return List.of(Route.of("POST", "/memory/collections/{name}/ask", Scope.MEMORY, this::ask));
    }

    private void ask(Exchange ex) throws Exception {
        JsonNode body = object(ex);
        AskService.Question q = new AskService.Question(ex.pathParam("name"), string(body, "question", true),
                string(body, "model", false), RequestFields.mode(body), RequestFields.k(body, DEFAULT_K),
                RequestFields.filters(body.get("filters")), maxTokens(body), temperature(body), thinking(body));
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw ApiException.badRequest("invalid_type", "'stream' must be a boolean");
        }
        if (!ex.key().allows(Scope.CHAT)) {
            throw ApiException.forbidden("ask answers with a chat model charged to this key: it needs the 'chat' scope"
                    + " as well as 'memory'");
        }
        if (stream != null && stream.asBoolean(false)) {
            streamed(ex, q);
        } else {
            AskService.Answer a = run(ex, q, new AskService.Listener() {
                @Override public void sources(String model, List<Source> sources) {}
                @Override public void content(String piece) {}
            });
            ex.sendJson(200, answer("memory.answer", a));
        }
    }

    private void streamed(Exchange ex, AskService.Question q) throws Exception {
        SseWriter sse = new SseWriter(ex);
        AskService.Answer a;
        try {
            a = run(ex, q, sse);
        } catch (ApiException e) {
            if (!sse.started()) {
                throw e;
            }
            sse.event(new String(e.body(), StandardCharsets.UTF_8));
            return;
        }
        sse.start(); // an empty answer still gets its sources and end
        sse.event(Json.MAPPER.writeValueAsString(answer("memory.answer.done", a)));
        sse.raw("data: [DONE]\n\n");
    }

    private AskService.Answer run(Exchange ex, AskService.Question q, AskService.Listener listener) throws Exception {
        try {
            return asks.ask(ex.key(), q, listener);
        } catch (MemoryService.NoSuchCollectionException e) {
            throw ApiException.notFound("collection_not_found", "there is no collection '" + q.collection() + "'");
        } catch (EmbeddingUnavailableException e) {
            throw e.toApi();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_value", e.getMessage());
        }
    }

    /** Writes the stream, which begins only with the answer's first piece (or its end). */
    private static final class SseWriter implements AskService.Listener {
        private final Exchange ex;
        private OutputStream out;
        private String sourcesEvent;

        SseWriter(Exchange ex) {
            this.ex = ex;
        }

        boolean started() {
            return out != null;
        }

        @Override
        public void sources(String model, List<Source> sources) {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("object", "memory.sources");
            event.put("model", model);
            event.put("sources", sources.stream().map(AskEndpoint::source).toList());
            sourcesEvent = Json.MAPPER.writeValueAsString(event);
        }

        @Override
        public void content(String piece) throws IOException {
            start();
            event(Json.MAPPER.writeValueAsString(Map.of("object", "memory.answer.delta", "content", piece)));
        }

        void start() throws IOException {
            if (out == null) {
                out = ex.startStream(200, "text/event-stream");
                event(sourcesEvent);
            }
        }

        void event(String json) throws IOException {
            raw("data: " + json + "\n\n");
        }

        void raw(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static Map<String, Object> answer(String object, AskService.Answer a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", object);
        m.put("model", a.model());
        m.put("answer", a.text());
        m.put("finish_reason", a.finishReason());
        m.put("citations", a.citations().stream().map(AskEndpoint::source).toList());
        m.put("sources", a.sources().stream().map(AskEndpoint::source).toList());
        if (a.promptTokens() >= 0) {
            m.put("usage", Map.of("prompt_tokens", a.promptTokens(), "completion_tokens", a.completionTokens(),
                    "total_tokens", a.promptTokens() + a.completionTokens()));
        }
        return m;
    }

    private static Map<String, Object> source(Source s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", s.number());
        m.putAll(RequestFields.hit(s.hit()));
        return m;
    }

    private static Integer maxTokens(JsonNode body) {
        JsonNode v = body.get("max_tokens");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > 1 << 20) {
            throw ApiException.badRequest("invalid_value", "'max_tokens' must be a positive whole number");
        }
        return v.asInt();
    }

    private static Boolean thinking(JsonNode body) {
        JsonNode v = body.get("thinking");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest("invalid_type", "'thinking' must be a boolean");
        }
        return v.booleanValue();
    }

    private static Double temperature(JsonNode body) {
        JsonNode v = body.get("temperature");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || v.asDouble() < 0 || v.asDouble() > 2) {
            throw ApiException.badRequest("invalid_value", "'temperature' must be a number from 0 to 2");
        }
        return v.asDouble();
    }
}
