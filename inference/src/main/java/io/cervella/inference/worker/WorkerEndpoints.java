package io.cervella.inference.worker;

import io.cervella.core.http.ApiException;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Json;
import io.cervella.core.http.Route;
import io.cervella.core.keys.Scope;
import io.cervella.inference.engine.Engine;
import io.cervella.inference.engine.chat.ChatMessage;
import io.cervella.inference.engine.chat.ChatTemplate;
import io.cervella.inference.engine.sampling.SamplingParams;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The worker's OpenAI-compatible API over the embedded engine: {@code GET /v1/models} and
 * {@code POST /v1/chat/completions} (with and without streaming). Thinking is off unless the request
 * asks for it ({@code enable_thinking} or {@code chat_template_kwargs.enable_thinking}); reasoning comes
 * back apart from the answer, as {@code reasoning_content}.
 */
public final class WorkerEndpoints {
    /** The header through which the core tells a worker whose prompt cache a request may use. */
    public static final String CACHE_NAMESPACE_HEADER = "X-Cervella-Cache-Namespace";
    /** As OpenAI: at most four stop strings; and none longer than this. */
    static final int MAX_STOPS = 4;
    static final int MAX_STOP_LENGTH = 256;

    /** Answers are capped here unless the request says otherwise. */
    static final int DEFAULT_MAX_TOKENS = 1024;

    private final Engine engine;
    private final String modelName;
    private final long created = System.currentTimeMillis() / 1000;

    public WorkerEndpoints(Engine engine, String modelName) {
        this.engine = engine;
        this.modelName = modelName;
        ChatTemplate.requireSupported(templateOf(engine));
    }

    private static String templateOf(Engine engine) {
        Object t = engine.file().metadata().get("tokenizer.chat_template");
        return t instanceof String s ? s : null;
    }

    public List<Route> routes() {
        return List.of(
                Route.of("GET", "/v1/models", Scope.CHAT, this::models),
                Route.of("POST", "/v1/chat/completions", Scope.CHAT, this::chat));
    }

    private void models(Exchange ex) throws Exception {
        ObjectNode root = Json.object();
        root.put("object", "list");
        ObjectNode m = root.putArray("data").addObject();
        m.put("id", modelName);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "cervella");
        ex.sendJson(200, root);
    }

    /** A parsed request. */
    private record ChatRequest(List<ChatMessage> messages, boolean stream, boolean includeUsage, boolean thinking,
                               int maxTokens, SamplingParams sampling, List<String> stops) {}

    private void chat(Exchange ex) throws Exception {
        ChatRequest req = parse(ex.jsonBody());
        int[] prompt = engine.encode(ChatTemplate.renderParts(req.messages(), true, req.thinking()));
        try {
            engine.checkFits(prompt); // before any byte of a stream goes out
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("context_length_exceeded", e.getMessage());
        }
        // The core names the API key's cache space; a prefix is reused only within it.
        String namespace = ex.header(CACHE_NAMESPACE_HEADER).orElse("");
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        if (!req.stream()) {
            Engine.Result r = generate(prompt, namespace, req, piece -> {});
            ObjectNode root = Json.object();
            root.put("id", id);
            root.put("object", "chat.completion");
            root.put("created", System.currentTimeMillis() / 1000);
            root.put("model", modelName);
            ObjectNode choice = root.putArray("choices").addObject();
            choice.put("index", 0);
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            ChatTemplate.Split split = req.thinking() ? ChatTemplate.splitReasoning(r.text()) : new ChatTemplate.Split(null, r.text());
            message.put("content", split.answer());
            if (split.reasoning() != null) {
                message.put("reasoning_content", split.reasoning());
            }
            choice.put("finish_reason", finishReason(r));
            root.set("usage", usage(r));
            ex.sendJson(200, root);
            return;
        }
        OutputStream out = ex.startStream(200, "text/event-stream");
        ReasoningRouter router = new ReasoningRouter(req.thinking());
        event(out, chunk(id, delta -> {
            delta.put("role", "assistant");
            delta.put("content", "");
        }, null));
        Engine.Result r;
        try {
            r = generate(prompt, namespace, req, piece -> router.route(piece, (field, text) -> {
                try {
                    event(out, chunk(id, delta -> delta.put(field, text), null));
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // the client went away: stop generating
                }
            }));
        } catch (UncheckedIOException clientGone) {
            // The client went away: an ordinary end, not a server error to log with a stack trace.
            throw new org.eclipse.jetty.io.EofException(clientGone.getCause());
        }
        event(out, chunk(id, delta -> {}, finishReason(r)));
        if (req.includeUsage()) {
            ObjectNode last = chunkRoot(id);
            last.putArray("choices");
            last.set("usage", usage(r));
            event(out, last);
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
    }

    private Engine.Result generate(int[] prompt, String namespace, ChatRequest req,
                                   java.util.function.Consumer<String> onText) throws InterruptedException {
        try {
            return engine.generate(prompt, namespace, req.sampling(), req.maxTokens(), req.stops(), onText);
        } catch (Engine.ContextLengthException e) {
            throw ApiException.badRequest("context_length_exceeded", e.getMessage());
        }
    }

    private static String finishReason(Engine.Result r) {
        return r.finish() == Engine.Finish.LENGTH ? "length" : "stop";
    }

    private static ObjectNode usage(Engine.Result r) {
        ObjectNode u = Json.object();
        u.put("prompt_tokens", r.promptTokens());
        u.put("completion_tokens", r.completionTokens());
        u.put("total_tokens", r.promptTokens() + r.completionTokens());
        ObjectNode details = u.putObject("prompt_tokens_details");
        details.put("cached_tokens", r.reusedPromptTokens());
        return u;
    }

    private ObjectNode chunkRoot(String id) {
        ObjectNode root = Json.object();
        root.put("id", id);
        root.put("object", "chat.completion.chunk");
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", modelName);
        return root;
    }

    private ObjectNode chunk(String id, java.util.function.Consumer<ObjectNode> fillDelta, String finish) {
        ObjectNode root = chunkRoot(id);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        fillDelta.accept(choice.putObject("delta"));
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return root;
    }

    private static void event(OutputStream out, ObjectNode json) throws IOException {
        out.write(("data: " + Json.MAPPER.writeValueAsString(json) + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    static ChatRequest parse(JsonNode body) {
        if (!body.isObject()) {
            throw ApiException.badRequest("invalid_request", "the request body must be a JSON object");
        }
        JsonNode msgs = body.get("messages");
        if (msgs == null || !msgs.isArray() || msgs.isEmpty()) {
            throw ApiException.badRequest("invalid_type", "'messages' must be a non-empty array");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < msgs.size(); i++) {
            JsonNode m = msgs.get(i);
            if (!m.path("role").isString()) {
                throw ApiException.badRequest("invalid_type", "'messages[" + i + "]' needs a string 'role'");
            }
            try {
                messages.add(new ChatMessage(m.path("role").asString(), text(m.path("content"), i), toolCalls(m.path("tool_calls"), i)));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid_value", "'messages[" + i + "]': " + e.getMessage());
            }
        }
        boolean stream = bool(body, "stream", false);
        boolean includeUsage = stream && bool(body.path("stream_options"), "include_usage", false);
        boolean thinking = bool(body, "enable_thinking", bool(body.path("chat_template_kwargs"), "enable_thinking", false));
        int maxTokens = (int) integer(body, "max_completion_tokens", integer(body, "max_tokens", DEFAULT_MAX_TOKENS));
        if (maxTokens < 1) {
            throw ApiException.badRequest("invalid_value", "'max_tokens' must be at least 1");
        }
        SamplingParams sampling;
        try {
            JsonNode seed = body.get("seed");
            sampling = new SamplingParams(number(body, "temperature", 1.0), number(body, "top_p", 1.0),
                    (int) integer(body, "top_k", 0), number(body, "min_p", 0.0), number(body, "repetition_penalty", 1.0),
                    number(body, "presence_penalty", 0.0), number(body, "frequency_penalty", 0.0),
                    seed != null && seed.isIntegralNumber() && seed.canConvertToLong() ? seed.longValue() : null);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_value", e.getMessage());
        }
        List<String> stops = new ArrayList<>();
        JsonNode stop = body.get("stop");
        if (stop != null && stop.isString()) {
            stops.add(stop.asString());
        } else if (stop != null && stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isString()) {
                    throw ApiException.badRequest("invalid_type", "'stop' must be a string or an array of strings");
                }
                stops.add(s.asString());
            }
        } else if (stop != null && !stop.isNull()) {
            throw ApiException.badRequest("invalid_type", "'stop' must be a string or an array of strings");
        }
        if (stops.size() > MAX_STOPS || stops.stream().anyMatch(x -> x.length() > MAX_STOP_LENGTH)) {
            throw ApiException.badRequest("invalid_value", "'stop' takes at most " + MAX_STOPS + " strings of at most "
                    + MAX_STOP_LENGTH + " characters");
        }
        return new ChatRequest(messages, stream, includeUsage, thinking, maxTokens, sampling, stops);
    }

    /** OpenAI's rule for function names; anything else would corrupt the JSON the model is shown. */
    private static final java.util.regex.Pattern FUNCTION_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    /**
     * The function calls of an earlier assistant turn, so that the model sees what it asked for: a name
     * by OpenAI's rule, arguments as JSON text (a JSON object is accepted too and written as text).
     */
    private static List<ChatMessage.ToolCall> toolCalls(JsonNode calls, int i) {
        if (calls.isMissingNode() || calls.isNull()) {
            return List.of();
        }
        if (!calls.isArray()) {
            throw ApiException.badRequest("invalid_type", "'messages[" + i + "].tool_calls' must be an array");
        }
        List<ChatMessage.ToolCall> out = new ArrayList<>();
        for (int k = 0; k < calls.size(); k++) {
            String where = "'messages[" + i + "].tool_calls[" + k + "]'";
            JsonNode function = calls.get(k).path("function");
            JsonNode name = function.path("name");
            if (!name.isString() || !FUNCTION_NAME.matcher(name.asString()).matches()) {
                throw ApiException.badRequest("invalid_value", where + " needs a function 'name' of 1 to 64 letters,"
                        + " digits, '_', '.', ':' or '-'");
            }
            JsonNode arguments = function.path("arguments");
            String text;
            if (arguments.isMissingNode() || arguments.isNull()) {
                text = "{}";
            } else if (arguments.isObject()) {
                text = arguments.toString();
            } else if (arguments.isString()) {
                text = arguments.asString();
                try {
                    tools.jackson.databind.json.JsonMapper.shared().readTree(text);
                } catch (RuntimeException e) {
                    throw ApiException.badRequest("invalid_value", where + ": 'arguments' is not valid JSON");
                }
            } else {
                throw ApiException.badRequest("invalid_type", where + ": 'arguments' must be a JSON string or object");
            }
            out.add(new ChatMessage.ToolCall(name.asString(), text));
        }
        return out;
    }

    private static String text(JsonNode content, int i) {
        if (content.isMissingNode() || content.isNull()) {
            return "";
        }
        if (content.isString()) {
            return content.asString();
        }
        if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                if (part.path("type").asString("").equals("text") && part.path("text").isString()) {
                    sb.append(part.path("text").asString());
                } else {
                    throw ApiException.badRequest("unsupported_value", "'messages[" + i + "]' has a content part of type '"
                            + part.path("type").asString("?") + "'; only text is supported");
                }
            }
            return sb.toString();
        }
        throw ApiException.badRequest("invalid_type", "'messages[" + i + "].content' must be a string or an array of parts");
    }

    private static boolean bool(JsonNode o, String field, boolean fallback) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest("invalid_type", "'" + field + "' must be a boolean");
        }
        return v.booleanValue();
    }

    private static double number(JsonNode o, String field, double fallback) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw ApiException.badRequest("invalid_type", "'" + field + "' must be a number");
        }
        return v.doubleValue();
    }

    private static long integer(JsonNode o, String field, long fallback) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiException.badRequest("invalid_type", "'" + field + "' must be an integer");
        }
        return v.intValue();
    }

    /** Sends streamed text to reasoning_content until the think block closes, then to content. */
    static final class ReasoningRouter {
        private boolean inReasoning;
        private final boolean thinking;

        ReasoningRouter(boolean thinking) {
            this.thinking = thinking;
            this.inReasoning = thinking;
        }

        void route(String piece, java.util.function.BiConsumer<String, String> emit) {
            if (!thinking) {
                emit.accept("content", piece);
                return;
            }
            String text = piece;
            if (inReasoning) {
                text = text.replace("<think>", "");
                int close = text.indexOf("</think>");
                if (close < 0) {
                    if (!text.isEmpty()) {
                        emit.accept("reasoning_content", text);
                    }
                    return;
                }
                if (close > 0) {
                    emit.accept("reasoning_content", text.substring(0, close));
                }
                inReasoning = false;
                text = text.substring(close + "</think>".length());
            }
            if (!text.isEmpty()) {
                emit.accept("content", text);
            }
        }
    }
}
