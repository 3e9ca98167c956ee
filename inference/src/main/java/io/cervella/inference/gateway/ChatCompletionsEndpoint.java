package io.cervella.inference.gateway;

import io.cervella.core.http.ApiException;
import io.cervella.core.http.Endpoint;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Json;
import io.cervella.core.keys.ApiKeyRecord;
import io.cervella.core.usage.TimeOrderedIds;
import io.cervella.core.usage.UsageEvent;
import io.cervella.core.usage.UsageLedger;
import io.cervella.inference.limits.KeyLimiter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/chat/completions}: validates the request, admits it against the key's limits,
 * sends it to the first backend of the model that takes it, and relays the answer. A backend that
 * fails before the first byte reaches the client is taken out and the next one is tried; once bytes
 * have gone out, a failure ends the stream with an SSE error event. The body is passed on untouched
 * (tools, response_format, sampling parameters) except for {@code model}, and for streams
 * {@code stream_options.include_usage}, which is always asked of the backend so that the ledger gets
 * real token counts; the usage chunk is passed on only if the client asked for it.
 */
public final class ChatCompletionsEndpoint implements Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(ChatCompletionsEndpoint.class);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ModelRouter router;
    private final UpstreamClient client;
    private final KeyLimiter limiter;
    private final UsageLedger ledger;
    private final GatewayMetrics metrics;
    /** Upstream streams being relayed, so that a shutdown can end them cleanly. */
    private final java.util.Set<InputStream> activeStreams = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean shuttingDown;

    ChatCompletionsEndpoint(ModelRouter router, UpstreamClient client, KeyLimiter limiter, UsageLedger ledger,
                            GatewayMetrics metrics) {
        this.router = router;
        this.client = client;
        this.limiter = limiter;
        this.ledger = ledger;
        this.metrics = metrics;
    }

    /** What one request came to; written to the ledger. */
    private record Outcome(String backend, int status, long promptTokens, long completionTokens,
                           boolean estimated, Long ttftNanos, Long generationNanos, double costUsd) {
        static Outcome unserved(int status) {
            return new Outcome("", status, 0, 0, false, null, null, 0);
        }
    }

    /**
     * A backend failed before anything reached the client: the next one may be tried. {@code takeOut}
     * says whether the failure shows the backend is broken (refused, 5xx, cut off) rather than busy
     * (429) or slow on this one request (a timeout, which the health probes judge instead).
     */
    private static final class RetryableFailure extends Exception {
        final boolean takeOut;
        final String detail;

        RetryableFailure(String message, boolean takeOut, String detail) {
            super(message, null, false, false);
            this.takeOut = takeOut;
            this.detail = detail;
        }

        RetryableFailure(String message) {
            this(message, true, message);
        }

        static RetryableFailure of(String prefix, IOException e) {
            return new RetryableFailure(prefix + Failures.describe(e), !(e instanceof Failures.UpstreamTimeout),
                    prefix + Failures.detail(e));
        }
    }

    /** Per-request state shared by the attempts. */
    private final class Call {
        final ApiKeyRecord key;
        final Reply reply;
        final ObjectNode request;
        final String model;
        final boolean stream;
        final boolean clientWantsUsage;
        final long startNanos = System.nanoTime();
        final KeyLimiter.Admission admission;
        boolean recorded;
        /** Gives the backend's concurrency slot back (once); set while an attempt holds one. */
        Runnable releaseSlot = () -> {};

        Call(ApiKeyRecord key, Reply reply, ObjectNode request, KeyLimiter.Admission admission) {
            this.key = key;
            this.reply = reply;
            this.request = request;
            this.model = request.get("model").asString();
            this.stream = request.path("stream").asBoolean(false);
            JsonNode includeUsage = request.path("stream_options").path("include_usage");
            this.clientWantsUsage = stream && includeUsage.isBoolean() && includeUsage.booleanValue();
            this.admission = admission;
        }

        /** Settles limits, updates metrics and commits the ledger row; waits for the commit. */
        void finish(Outcome o) {
            if (recorded) {
                return;
            }
            recorded = true;
            // The backend's part is over: its slot goes to the next request while this one is recorded.
            releaseSlot.run();
            admission.settle(o.promptTokens() + o.completionTokens(), o.costUsd());
            metrics.served(model, o.backend().isEmpty() ? "none" : o.backend(), o.status(), o.promptTokens(),
                    o.completionTokens(), o.ttftNanos(), o.generationNanos(), o.costUsd());
            long now = System.currentTimeMillis();
            UsageEvent event = new UsageEvent(TimeOrderedIds.next(now), Instant.ofEpochMilli(now), key.id(), model,
                    o.backend(), o.status(), stream, o.promptTokens(), o.completionTokens(), o.estimated(),
                    (System.nanoTime() - startNanos) / 1e6, o.ttftNanos() == null ? null : o.ttftNanos() / 1e6,
                    o.costUsd());
            try {
                ledger.record(event).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // The answer still goes to the client; the operator sees the failure in the log.
                LOG.error("usage ledger: request {} of key {} not recorded: {}", event.id(), event.keyId(), e.toString());
            }
        }
    }

    @Override
    public void handle(Exchange ex) throws Exception {
        serve(ex.key(), validate(ex.jsonBody()), new ExchangeReply(ex));
    }

    /** Serves one validated request of {@code key}, its answer going to {@code reply}. */
    void serve(ApiKeyRecord key, ObjectNode request, Reply reply) throws Exception {
        String model = request.get("model").asString();
        List<Backend> candidates = router.candidates(model);
        if (candidates.isEmpty()) {
            throw ApiException.notFound("model_not_found", "The model '" + model
                    + "' does not exist on this server; GET /v1/models lists the models");
        }
        KeyLimiter.Admission admission = limiter.admit(key, TokenEstimator.prompt(request));
        Call call = new Call(key, reply, request, admission);
        try {
            route(call, candidates);
        } catch (ApiException e) {
            call.finish(Outcome.unserved(e.status()));
            throw e;
        } catch (Exception e) {
            call.finish(Outcome.unserved(reply.isCommitted() ? 200 : 500));
            throw e;
        } finally {
            if (!call.recorded) {
                call.finish(Outcome.unserved(500));
            }
        }
    }

    private void route(Call call, List<Backend> candidates) throws Exception {
        List<String> failures = new ArrayList<>();
        List<Backend> busy = new ArrayList<>();
        List<Backend> down = new ArrayList<>();
        // Healthy backends with a free slot, in config order.
        for (Backend b : candidates) {
            if (!b.healthy()) {
                down.add(b);
            } else if (b.limiter.tryAcquireNow()) {
                if (attempt(call, b, failures)) {
                    return;
                }
            } else {
                busy.add(b);
            }
        }
        // Then a place in the queue of a healthy one.
        for (Backend b : busy) {
            if (b.limiter.acquireQueued(queueTimeoutNanos(b)) && attempt(call, b, failures)) {
                return;
            }
        }
        // Last resort: backends taken out of service, which may be back before their next probe.
        for (Backend b : down) {
            if ((b.limiter.tryAcquireNow() || b.limiter.acquireQueued(queueTimeoutNanos(b))) && attempt(call, b, failures)) {
                return;
            }
        }
        if (failures.isEmpty()) {
            throw ApiException.tooManyRequests("backends_busy", "every backend of model '" + call.model
                    + "' is at its concurrency limit and its queue is full; retry shortly", 1);
        }
        throw new ApiException(502, "server_error", "backends_unavailable", "no backend of model '" + call.model
                + "' could serve the request: " + String.join("; ", failures));
    }

    private static long queueTimeoutNanos(Backend b) {
        return (long) (b.config().queueTimeoutSeconds() * 1e9);
    }

    /** @return true when the request was answered (well or not), false when the next backend should try */
    private boolean attempt(Call call, Backend b, List<String> failures) throws IOException, InterruptedException {
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        call.releaseSlot = () -> {
            if (released.compareAndSet(false, true)) {
                b.limiter.release();
            }
        };
        BusyMeter.Shift shift = b.busy.enter();
        try {
            if (call.stream) {
                streamFrom(call, b, shift);
            } else {
                relayFrom(call, b, shift);
            }
            return true;
        } catch (RetryableFailure e) {
            failures.add(b.name() + ": " + e.getMessage());
            if (e.takeOut && b.markDown(e.detail)) {
                LOG.warn("backend {} of model {} taken out: {}", b.name(), b.modelName(), e.detail);
            } else if (!e.takeOut) {
                LOG.info("backend {} of model {} skipped for one request: {}", b.name(), b.modelName(), e.detail);
            }
            return false;
        } finally {
            shift.end();
            call.releaseSlot.run();
            call.releaseSlot = () -> {};
        }
    }

    /** The request as the backend gets it: its own model name, and usage asked for in streams. */
    private static byte[] upstreamBody(Call call, Backend b) {
        ObjectNode upstream = call.request.deepCopy();
        upstream.put("model", b.upstreamModel());
        if (call.stream) {
            ObjectNode options = upstream.path("stream_options").isObject()
                    ? (ObjectNode) upstream.get("stream_options") : upstream.putObject("stream_options");
            options.put("include_usage", true);
        }
        return Json.bytes(upstream);
    }

    private static RetryableFailure retryableStatus(int status) {
        // 429 and 408 say "busy" or "slow", not "broken": try the next backend, keep this one in service.
        boolean broken = status >= 500;
        return new RetryableFailure("answered HTTP " + status, broken, "answered HTTP " + status);
    }

    /** Answers that mean "this backend cannot serve now", so that the next one should try. */
    private static boolean isRetryable(int status) {
        return status >= 500 || status == 429 || status == 408;
    }

    private UpstreamClient.Answer send(Call call, Backend b) throws RetryableFailure, InterruptedException {
        UpstreamClient.Answer resp;
        try {
            resp = client.post(b, "/chat/completions", upstreamBody(call, b),
                    Duration.ofMillis((long) (b.config().timeoutSeconds() * 1000)), call.key.id());
        } catch (IOException e) {
            throw RetryableFailure.of("", e);
        }
        if (isRetryable(resp.status())) {
            closeQuietly(resp.body());
            throw retryableStatus(resp.status());
        }
        return resp;
    }

    private void relayFrom(Call call, Backend b, BusyMeter.Shift shift) throws RetryableFailure, IOException, InterruptedException {
        UpstreamClient.BufferedAnswer resp;
        try {
            resp = client.postBuffered(b, "/chat/completions", upstreamBody(call, b),
                    Duration.ofMillis((long) (b.config().timeoutSeconds() * 1000)), call.key.id());
        } catch (IOException e) {
            throw RetryableFailure.of("", e);
        }
        int status = resp.status();
        if (isRetryable(status)) {
            throw retryableStatus(status);
        }
        byte[] body = resp.body();
        long ttft = System.nanoTime() - call.startNanos;
        long prompt = 0;
        long completion = 0;
        boolean estimated = false;
        if (status / 100 == 2) {
            JsonNode answer;
            try {
                answer = Json.MAPPER.readTree(body);
            } catch (JacksonException e) {
                throw new RetryableFailure("answered with invalid JSON");
            }
            JsonNode usage = answer.path("usage");
            if (count(usage.path("prompt_tokens")) >= 0 && count(usage.path("completion_tokens")) >= 0) {
                prompt = count(usage.path("prompt_tokens"));
                completion = count(usage.path("completion_tokens"));
            } else {
                estimated = true;
                prompt = TokenEstimator.prompt(call.request);
                JsonNode content = answer.path("choices").path(0).path("message").path("content");
                completion = TokenEstimator.text(content.isString() ? content.asString() : "");
            }
        }
        double cost = b.costUsd(shift.end());
        call.finish(new Outcome(b.name(), status, prompt, completion, estimated, status / 100 == 2 ? ttft : null,
                null, cost));
        call.reply.setHeader("X-Cervella-Backend", b.name());
        call.reply.send(status, Objects.requireNonNullElse(resp.contentType(), "application/json"), body);
    }

    private void streamFrom(Call call, Backend b, BusyMeter.Shift shift) throws RetryableFailure, IOException, InterruptedException {
        UpstreamClient.Answer resp = send(call, b);
        int status = resp.status();
        boolean eventStream = Objects.requireNonNullElse(resp.contentType(), "").startsWith("text/event-stream");
        if (status / 100 != 2 || !eventStream) {
            // The backend refused the request (4xx) or did not stream: pass its answer on as it is.
            byte[] body;
            try (InputStream in = resp.body()) {
                body = in.readAllBytes();
            } catch (IOException e) {
                throw RetryableFailure.of("response cut off: ", e);
            }
            call.finish(new Outcome(b.name(), status, 0, 0, false, null, null, b.costUsd(shift.end())));
            call.reply.setHeader("X-Cervella-Backend", b.name());
            call.reply.send(status, Objects.requireNonNullElse(resp.contentType(), "application/json"), body);
            return;
        }

        InputStream upstream = resp.body();
        activeStreams.add(upstream);
        if (shuttingDown) {
            closeQuietly(upstream); // registered after the sweep: end it the same way
        }
        SseEventReader events = new SseEventReader(upstream);
        OutputStream out = null;
        Long firstTokenNanos = null;
        long prompt = -1;
        long completion = -1;
        long contentEvents = 0;
        boolean finished = false;
        String failure = null;
        String failureDetail = null;
        try {
            while (true) {
                SseEventReader.Event event;
                try {
                    event = events.next();
                } catch (IOException e) {
                    failure = "stream cut off: " + Failures.describe(e);
                    failureDetail = "stream cut off: " + Failures.detail(e);
                    break;
                }
                if (event == null) {
                    if (!finished) {
                        failure = "stream ended before the answer was complete";
                        failureDetail = failure;
                    }
                    break;
                }
                if (event.isDone()) {
                    finished = true;
                    break;
                }
                boolean forward = true;
                String data = event.data();
                if (data != null) {
                    if (data.contains("\"usage\"")) {
                        JsonNode chunk = parseOrNull(data);
                        JsonNode usage = chunk == null ? null : chunk.get("usage");
                        if (usage != null && count(usage.path("prompt_tokens")) >= 0
                                && count(usage.path("completion_tokens")) >= 0) {
                            prompt = count(usage.path("prompt_tokens"));
                            completion = count(usage.path("completion_tokens"));
                            boolean usageOnly = chunk.path("choices").isEmpty();
                            forward = !usageOnly || call.clientWantsUsage;
                        }
                    }
                    if (data.contains("\"choices\":[{") || data.contains("\"choices\": [{")) {
                        contentEvents++;
                        if (firstTokenNanos == null) {
                            firstTokenNanos = System.nanoTime();
                        }
                    }
                    if (data.contains("\"finish_reason\":\"") || data.contains("\"finish_reason\": \"")) {
                        finished = true;
                    }
                }
                if (forward) {
                    if (out == null) {
                        call.reply.setHeader("X-Cervella-Backend", b.name());
                        out = call.reply.startStream(200, "text/event-stream");
                    }
                    out.write(event.raw());
                }
            }
        } catch (IOException clientGone) {
            // Writing to the client failed: it went away. Stop the backend's work and account for it.
            closeQuietly(upstream);
            double cost = b.costUsd(shift.end());
            call.finish(streamOutcome(call, b, 499, prompt, completion, contentEvents, firstTokenNanos, cost));
            throw clientGone;
        } finally {
            activeStreams.remove(upstream);
            closeQuietly(upstream);
        }

        if (failure != null && shuttingDown) {
            ApiException error = new ApiException(503, "server_error", "server_shutting_down",
                    "the server is shutting down and could not wait for the end of this answer; it is incomplete");
            double cost = b.costUsd(shift.end());
            call.finish(streamOutcome(call, b, 503, prompt, completion, contentEvents, firstTokenNanos, cost));
            if (out == null) {
                throw error;
            }
            out.write(("data: " + new String(error.body(), StandardCharsets.UTF_8) + "\n\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (failure != null && out == null) {
            // nothing reached the client: the next backend may try
            throw new RetryableFailure(failure, true, failureDetail);
        }
        double cost = b.costUsd(shift.end());
        if (out == null) {
            out = call.reply.startStream(200, "text/event-stream");
        }
        if (failure != null) {
            if (b.markDown(failureDetail)) {
                LOG.warn("backend {} of model {} taken out: {}", b.name(), b.modelName(), failureDetail);
            }
            call.finish(streamOutcome(call, b, 502, prompt, completion, contentEvents, firstTokenNanos, cost));
            ApiException error = new ApiException(502, "server_error", "backend_failed_mid_stream",
                    "the backend '" + b.name() + "' failed during the answer (" + failure + "); the answer is incomplete");
            out.write(("data: " + new String(error.body(), StandardCharsets.UTF_8) + "\n\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        call.finish(streamOutcome(call, b, 200, prompt, completion, contentEvents, firstTokenNanos, cost));
        out.write(DONE);
    }

    /**
     * Ends every stream still being relayed: each gets an SSE error event saying the server is
     * shutting down, instead of a connection cut when the shutdown grace period runs out.
     */
    void endStreamsForShutdown() {
        shuttingDown = true;
        for (InputStream in : activeStreams) {
            closeQuietly(in);
        }
    }

    private Outcome streamOutcome(Call call, Backend b, int status, long prompt, long completion, long contentEvents,
                                  Long firstTokenNanos, double cost) {
        boolean estimated = prompt < 0;
        if (estimated) {
            prompt = TokenEstimator.prompt(call.request);
            completion = contentEvents; // servers send about one token per chunk
        }
        Long ttft = firstTokenNanos == null ? null : firstTokenNanos - call.startNanos;
        Long generation = firstTokenNanos == null ? null : System.nanoTime() - firstTokenNanos;
        return new Outcome(b.name(), status, prompt, completion, estimated, ttft, generation, cost);
    }

    /** A token count as the backend reported it, or -1 when it is missing or not a whole number. */
    private static long count(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0 ? n.longValue() : -1;
    }

    private static JsonNode parseOrNull(String data) {
        try {
            return Json.MAPPER.readTree(data);
        } catch (JacksonException e) {
            return null;
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // already broken; nothing more to release
        }
    }

    /** Checks what the gateway itself relies on; the backend checks the rest. */
    static ObjectNode validate(JsonNode body) {
        if (!(body instanceof ObjectNode request)) {
            throw ApiException.badRequest("invalid_request", "the request body must be a JSON object");
        }
        JsonNode model = request.get("model");
        if (model == null || model.isNull()) {
            throw ApiException.badRequest("missing_required_parameter", "'model' is required");
        }
        if (!model.isString() || model.asString().isBlank()) {
            throw ApiException.badRequest("invalid_type", "'model' must be a non-empty string");
        }
        JsonNode messages = request.get("messages");
        if (messages == null || messages.isNull()) {
            throw ApiException.badRequest("missing_required_parameter", "'messages' is required");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiException.badRequest("invalid_type", "'messages' must be a non-empty array");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (!m.isObject() || !m.path("role").isString()) {
                throw ApiException.badRequest("invalid_type", "'messages[" + i + "]' must be an object with a string 'role'");
            }
        }
        JsonNode stream = request.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw ApiException.badRequest("invalid_type", "'stream' must be a boolean");
        }
        JsonNode options = request.get("stream_options");
        if (options != null && !options.isNull() && !options.isObject()) {
            throw ApiException.badRequest("invalid_type", "'stream_options' must be an object");
        }
        JsonNode n = request.get("n");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.canConvertToLong() && n.longValue() == 1)) {
            throw ApiException.badRequest("unsupported_value", "only n=1 is supported");
        }
        for (String field : List.of("max_tokens", "max_completion_tokens")) {
            JsonNode v = request.get(field);
            if (v != null && !v.isNull() && !(v.isIntegralNumber() && v.canConvertToLong() && v.longValue() >= 1)) {
                throw ApiException.badRequest("invalid_type", "'" + field + "' must be a positive integer");
            }
        }
        return request;
    }
}
