package io.cervella.app.cli;

import io.cervella.app.Main;
import io.cervella.core.http.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Streamed chat completions sent to {@code /v1/chat/completions} and timed as a client sees them: when
 * the first token arrives and when the last one does. Failures come back as one readable line.
 */
final class TimedChatStream {
    /** Time to the headers; a CPU worker may prefill a long prompt before it answers. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(10);

    /**
     * One request as timed. {@code ttftNanos} and {@code firstToLastNanos} are null when no token came
     * (the model ended at once); {@code cachedTokens} is null when the server does not say.
     */
    record Timing(long promptTokens, Long cachedTokens, long completionTokens, Long ttftNanos, Long firstToLastNanos,
                  String servedModel) {
        /** (completion tokens − 1) ÷ (last token − first token): the first token's time is the prefill's. */
        Double decodeTokensPerSecond() {
            if (firstToLastNanos == null || firstToLastNanos <= 0 || completionTokens < 2) {
                return null;
            }
            return (completionTokens - 1) / (firstToLastNanos / 1e9);
        }
    }

    private final URI endpoint;
    private final String server;
    private final String key;
    private final HttpClient http;

    TimedChatStream(String server, String key, Path cacert) {
        String base = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        // messages name the server without any user:password the URL may carry
        this.server = BenchCommand.withoutUserInfo(base);
        this.endpoint = URI.create(base + "/v1/chat/completions");
        this.key = key;
        this.http = ServerClient.httpClient(cacert);
    }

    Timing send(String model, String prompt, int maxTokens) {
        ObjectNode body = Json.object();
        body.put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        body.put("max_tokens", maxTokens);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .timeout(ANSWER_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)))
                .build();
        long sent = System.nanoTime();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Main.CliFailure("interrupted");
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw refused(response.statusCode(), in.readAllBytes());
            }
            return read(in, sent);
        } catch (IOException | UncheckedIOException e) {
            throw new Main.CliFailure(server + ": the answer broke off: " + e.getMessage());
        }
    }

    /** Reads the event stream to its end, noting when token chunks arrive. */
    private Timing read(InputStream in, long sent) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        Long first = null;
        Long last = null;
        JsonNode usage = null;
        String servedModel = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            long at = System.nanoTime();
            if (!line.startsWith("data:")) {
                continue; // blank separators, comments, event names
            }
            String data = line.substring(5).strip();
            if (data.equals("[DONE]")) {
                break;
            }
            JsonNode chunk;
            try {
                chunk = Json.MAPPER.readTree(data);
            } catch (JacksonException e) {
                throw new Main.CliFailure(server + " sent a stream event that is not JSON");
            }
            if (chunk.has("error")) {
                throw new Main.CliFailure(server + " ended the stream with an error: "
                        + chunk.path("error").path("message").asString("(no message)"));
            }
            if (chunk.path("model").isString()) {
                servedModel = chunk.path("model").asString();
            }
            JsonNode delta = chunk.path("choices").path(0).path("delta");
            // A thinking model's first tokens are reasoning: generated tokens all the same.
            if (!delta.path("content").asString("").isEmpty() || !delta.path("reasoning_content").asString("").isEmpty()) {
                if (first == null) {
                    first = at;
                }
                last = at;
            }
            if (chunk.path("usage").isObject()) {
                usage = chunk.path("usage");
            }
        }
        if (usage == null) {
            throw new Main.CliFailure(server + " sent no usage chunk (stream_options.include_usage): the token counts"
                    + " the figures need are missing");
        }
        JsonNode cached = usage.path("prompt_tokens_details").path("cached_tokens");
        return new Timing(usage.path("prompt_tokens").asLong(), cached.isNumber() ? cached.asLong() : null,
                usage.path("completion_tokens").asLong(), first == null ? null : first - sent,
                first == null ? null : last - first, servedModel);
    }

    private Main.CliFailure refused(int status, byte[] body) {
        String message;
        try {
            message = Json.MAPPER.readTree(body).path("error").path("message").asString("(no message)");
        } catch (JacksonException e) {
            message = "(no message)";
        }
        return new Main.CliFailure(server + " answered HTTP " + status + ": " + message);
    }

    private Main.CliFailure unreachable(IOException e) {
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new Main.CliFailure("cannot reach " + server + ": " + message
                + (message.contains("PKIX") ? " (pass --cacert DATA/tls/ca.pem)" : ""));
    }
}
