package io.cervella.memory.ask;

import io.cervella.core.chat.ChatAnswer;
import io.cervella.core.chat.ChatModels;
import io.cervella.core.http.ApiException;
import io.cervella.core.http.Json;
import io.cervella.core.keys.ApiKeyRecord;
import io.cervella.memory.MemoryService;
import io.cervella.memory.index.Filter;
import io.cervella.memory.index.Hit;
import io.cervella.memory.index.SearchMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Answers a question from a collection (retrieval-augmented generation): searches the collection,
 * fits the best chunks into the chat model's context as numbered sources, asks the model through
 * the gateway with the caller's key, and reports which sources the answer cites.
 */
public final class AskService {
    /** Tokens kept for the answer when the request does not say. */
    static final int DEFAULT_ANSWER_TOKENS = 512;

    private final MemoryService memory;
    private final ChatModels chat;
    private final String defaultModel;

    /** @param defaultModel the model used when a question names none; null: the only configured one */
    public AskService(MemoryService memory, ChatModels chat, String defaultModel) {
        this.memory = memory;
        this.chat = chat;
        this.defaultModel = defaultModel;
    }

    /**
     * @param maxTokens the answer's length limit; null for the default
     * @param thinking  whether a reasoning model (Qwen3) thinks first; null: the backend's default. Sent as
     *                  {@code chat_template_kwargs.enable_thinking}, which vLLM, llama.cpp and our worker read
     */
    public record Question(String collection, String question, String model, SearchMode mode, int k,
                           List<Filter> filters, Integer maxTokens, Double temperature, Boolean thinking) {}

    public record Answer(String model, String text, String finishReason, List<Source> sources, List<Source> citations,
                         long promptTokens, long completionTokens) {}

    /** Hears an answer as it is made: first the sources in the prompt, then the answer piece by piece. */
    public interface Listener {
        void sources(String model, List<Source> sources) throws IOException;

        void content(String piece) throws IOException;
    }

    public Answer ask(ApiKeyRecord key, Question q, Listener listener) throws IOException, InterruptedException {
        String model = model(q.model());
        int context = chat.contextTokens(model);
        int answerTokens = q.maxTokens() != null ? q.maxTokens() : Math.min(DEFAULT_ANSWER_TOKENS, context / 4);
        if (answerTokens >= context - 256) {
            throw ApiException.badRequest("invalid_value", "'max_tokens' (" + answerTokens + ") leaves no room for the sources"
                    + " in the model's context of " + context + " tokens");
        }
        try {
            AskPrompt.checkFits(q.question(), context - answerTokens);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("context_length_exceeded", e.getMessage());
        }
        List<Hit> hits = memory.search(q.collection(), q.mode(), q.question(), q.filters(), q.k());
        AskPrompt prompt = AskPrompt.build(q.question(), hits, context - answerTokens);
        listener.sources(model, prompt.sources());

        ObjectNode request = Json.object();
        request.put("model", model);
        ArrayNode messages = request.putArray("messages");
        messages.addObject().put("role", "system").put("content", prompt.system());
        messages.addObject().put("role", "user").put("content", prompt.user());
        request.put("max_tokens", answerTokens);
        if (q.temperature() != null) {
            request.put("temperature", q.temperature());
        }
        if (q.thinking() != null) {
            request.putObject("chat_template_kwargs").put("enable_thinking", q.thinking());
        }
        ChatAnswer answer;
        try {
            answer = chat.complete(key, request, piece -> {
                try {
                    listener.content(piece);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw e;
        }
        return new Answer(model, answer.content(), answer.finishReason(), prompt.sources(),
                Citations.of(answer.content(), prompt.sources()), answer.promptTokens(), answer.completionTokens());
    }

    /** The model asked for, else the configured default, else the only model there is. */
    String model(String requested) {
        String model = requested != null ? requested : defaultModel;
        if (model == null) {
            if (chat.names().size() != 1) {
                throw ApiException.badRequest("missing_required_parameter", chat.names().isEmpty()
                        ? "no chat model is configured on this server (models: in the config), so nothing can answer"
                        : "'model' is required: this server has several chat models " + chat.names()
                                + " and no memory.chat_model in its config");
            }
            model = chat.names().iterator().next();
        }
        if (!chat.names().contains(model)) {
            throw ApiException.notFound("model_not_found", "The model '" + model
                    + "' does not exist on this server; GET /v1/models lists the models");
        }
        return model;
    }
}
