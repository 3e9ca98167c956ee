package io.cervella.inference.gateway;

import io.cervella.core.chat.ChatAnswer;
import io.cervella.core.http.ApiException;
import io.cervella.core.http.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads the gateway's answer for a caller in the same process: the content of the chunks of a
 * stream (or of a whole completion) goes to a consumer as it comes; an error event or a refusal by
 * the backend becomes an {@link ApiException} once the endpoint is done.
 */
final class CollectingReply implements Reply {
    private final Consumer<String> onContent;
    private final StringBuilder content = new StringBuilder();
    private String backend = "";
    private String finishReason = "";
    private long promptTokens = -1;
    private long completionTokens = -1;
    private boolean committed;
    private boolean done;
    private ApiException error;

    CollectingReply(Consumer<String> onContent) {
        this.onContent = onContent;
    }

    @Override
    public void setHeader(String name, String value) {
        if (name.equals("X-Cervella-Backend")) {
            backend = value;
        }
    }

    @Override
    public void send(int status, String contentType, byte[] body) throws IOException {
        committed = true;
        JsonNode json = parse(new String(body, StandardCharsets.UTF_8));
        if (status / 100 != 2) {
            error = backendRefusal(status, json, body);
            return;
        }
        if (json == null) {
            error = new ApiException(502, "server_error", "backend_invalid_answer", "the backend answered with invalid JSON");
            return;
        }
        JsonNode choice = json.path("choices").path(0);
        deliver(choice.path("message").path("content").asString(""));
        finishReason = choice.path("finish_reason").asString("");
        usage(json.path("usage"));
        done = true;
    }

    @Override
    public OutputStream startStream(int status, String contentType) {
        committed = true;
        return new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (int i = off; i < off + len; i++) {
                    if (b[i] == '\n') {
                        String text = line.toString(StandardCharsets.UTF_8);
                        line.reset();
                        onLine(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
                    } else {
                        line.write(b[i]);
                    }
                }
            }
        };
    }

    @Override
    public boolean isCommitted() {
        return committed;
    }

    /** The answer, or the failure the client of the HTTP endpoint would have seen. */
    ChatAnswer answer(String model) throws IOException {
        if (eventData != null) { // a last event without its blank line
            String data = eventData.toString();
            eventData = null;
            onEvent(data);
        }
        if (error != null) {
            throw error;
        }
        if (!done) {
            throw new ApiException(502, "server_error", "backend_failed_mid_stream",
                    "the backend's answer ended before it was complete");
        }
        return new ChatAnswer(model, content.toString(), finishReason, promptTokens, completionTokens, backend);
    }

    /** The data lines of the event being read; a blank line ends it. */
    private StringBuilder eventData;

    /** One line of the event stream: data lines are gathered (an event may spread over several). */
    private void onLine(String text) throws IOException {
        if (text.isEmpty()) {
            if (eventData != null) {
                String data = eventData.toString();
                eventData = null;
                onEvent(data);
            }
            return;
        }
        if (text.startsWith("data:")) {
            String value = text.substring(text.length() > 5 && text.charAt(5) == ' ' ? 6 : 5);
            if (eventData == null) {
                eventData = new StringBuilder(value);
            } else {
                eventData.append('\n').append(value);
            }
        }
    }

    private void onEvent(String data) throws IOException {
        if (data.equals("[DONE]")) {
            done = true;
            return;
        }
        JsonNode chunk = parse(data);
        if (chunk == null) {
            return;
        }
        if (chunk.has("error")) {
            JsonNode e = chunk.get("error");
            String code = e.path("code").asString("backend_failed_mid_stream");
            error = new ApiException(code.equals("server_shutting_down") ? 503 : 502, "server_error", code,
                    e.path("message").asString("the answer broke off"));
            return;
        }
        JsonNode choice = chunk.path("choices").path(0);
        JsonNode piece = choice.path("delta").path("content");
        if (piece.isString()) {
            deliver(piece.asString());
        }
        if (choice.path("finish_reason").isString()) {
            finishReason = choice.path("finish_reason").asString();
        }
        usage(chunk.path("usage"));
    }

    private void deliver(String piece) throws IOException {
        if (piece.isEmpty()) {
            return;
        }
        content.append(piece);
        try {
            onContent.accept(piece);
        } catch (java.io.UncheckedIOException e) {
            // The caller's own client went away: to the endpoint this is a client that went away.
            throw new IOException("the in-process caller stopped reading: " + e.getMessage(), e);
        }
    }

    private void usage(JsonNode usage) {
        if (usage.path("prompt_tokens").isIntegralNumber() && usage.path("completion_tokens").isIntegralNumber()) {
            promptTokens = usage.path("prompt_tokens").asLong();
            completionTokens = usage.path("completion_tokens").asLong();
        }
    }

    /** A backend's own 4xx/5xx answer, passed on with its status and message. */
    private static ApiException backendRefusal(int status, JsonNode json, byte[] body) {
        String message = json == null ? "" : json.path("error").path("message").asString(json.path("message").asString(""));
        if (message.isEmpty()) {
            message = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        }
        return new ApiException(status, status >= 500 ? "server_error" : "invalid_request_error", "backend_refused",
                "the chat model's backend answered HTTP " + status + ": " + message);
    }

    private static JsonNode parse(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (JacksonException e) {
            return null;
        }
    }
}
