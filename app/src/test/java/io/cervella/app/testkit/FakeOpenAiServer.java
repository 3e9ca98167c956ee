package io.cervella.app.testkit;

import io.cervella.core.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A small OpenAI-compatible server for the tests (plain HTTP on loopback), standing in for vLLM or
 * llama.cpp server. Its behaviour can be switched while it runs; it can be stopped and started again
 * on the same port. Answers "hello from NAME" or, streamed, "tok0 tok1 ...".
 */
public final class FakeOpenAiServer implements AutoCloseable {
    public enum Mode { OK, ERROR_500, RATE_LIMITED, HANG, DIE_MID_STREAM, STALL_MID_STREAM, NO_USAGE }

    private final String name;
    private Server server;
    private int port;
    public volatile Mode mode = Mode.OK;
    public volatile int tokens = 5;
    public volatile long tokenDelayMillis = 0;
    public volatile long firstTokenDelayMillis = 0;
    /**
     * When set, makes the answer's content from the request (streamed a word at a time) instead of
     * "hello from NAME" / "tok0 tok1 ...".
     */
    public volatile java.util.function.Function<JsonNode, String> reply;
    public volatile JsonNode lastRequest;
    public volatile String lastAuthorization;
    public final AtomicInteger chatRequests = new AtomicInteger();
    public final AtomicInteger modelProbes = new AtomicInteger();
    private final AtomicInteger concurrent = new AtomicInteger();
    public final AtomicInteger maxConcurrent = new AtomicInteger();
    private final java.util.concurrent.CountDownLatch hangRelease = new java.util.concurrent.CountDownLatch(1);

    public FakeOpenAiServer(String name) {
        this.name = name;
    }

    public FakeOpenAiServer start() throws Exception {
        return startOn(0);
    }

    public synchronized FakeOpenAiServer startOn(int wantedPort) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("fake-" + name);
        threads.setVirtualThreadsExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(wantedPort);
        connector.setReuseAddress(true);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract(Handler.Abstract.InvocationType.BLOCKING) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                serve(request, response, callback);
                return true;
            }
        });
        server.start();
        port = connector.getLocalPort();
        return this;
    }

    public String name() { return name; }

    public int port() { return port; }

    public String baseUrl() { return "http://127.0.0.1:" + port + "/v1"; }

    public synchronized void stop() throws Exception {
        hangRelease.countDown();
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    private void serve(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (path.equals("/v1/models") && request.getMethod().equals("GET")) {
            modelProbes.incrementAndGet();
            if (mode == Mode.ERROR_500) {
                send(response, callback, 500, "{\"error\":{\"message\":\"down\"}}");
                return;
            }
            send(response, callback, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"fake\",\"object\":\"model\"}]}");
            return;
        }
        if (!path.equals("/v1/chat/completions")) {
            send(response, callback, 404, "{\"error\":{\"message\":\"no route\"}}");
            return;
        }
        chatRequests.incrementAndGet();
        lastAuthorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        try {
            JsonNode body;
            try (InputStream in = Content.Source.asInputStream(request)) {
                body = Json.MAPPER.readTree(in.readAllBytes());
            }
            lastRequest = body;
            switch (mode) {
                case ERROR_500 -> send(response, callback, 500, "{\"error\":{\"message\":\"backend exploded\"}}");
                case RATE_LIMITED -> send(response, callback, 429, "{\"error\":{\"message\":\"too many requests\"}}");
                case HANG -> {
                    hangRelease.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    send(response, callback, 500, "{}");
                }
                default -> {
                    if (body.path("temperature").asDouble(0) > 2) {
                        // what vLLM answers to an out-of-range sampling parameter
                        send(response, callback, 400, "{\"object\":\"error\",\"message\":\"temperature must be in [0, 2]\","
                                + "\"type\":\"BadRequestError\",\"param\":null,\"code\":400}");
                    } else if (!body.path("model").isString()) {
                        send(response, callback, 400, "{\"error\":{\"message\":\"model required\",\"type\":\"invalid_request_error\"}}");
                    } else if (body.path("stream").asBoolean(false)) {
                        stream(body, response, callback);
                    } else {
                        Thread.sleep(firstTokenDelayMillis + tokenDelayMillis * tokens);
                        send(response, callback, 200, Json.MAPPER.writeValueAsString(completion(body)));
                    }
                }
            }
        } finally {
            concurrent.decrementAndGet();
        }
    }

    private ObjectNode completion(JsonNode req) {
        ObjectNode root = Json.object();
        root.put("id", "chatcmpl-" + name);
        root.put("object", "chat.completion");
        root.put("created", 1_700_000_000L);
        root.put("model", req.path("model").asString());
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", reply != null ? reply.apply(req) : "hello from " + name);
        choice.put("finish_reason", "stop");
        if (mode != Mode.NO_USAGE) {
            ObjectNode usage = root.putObject("usage");
            usage.put("prompt_tokens", 11);
            usage.put("completion_tokens", 3);
            usage.put("total_tokens", 14);
        }
        return root;
    }

    private void stream(JsonNode req, Response response, Callback callback) throws Exception {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
        OutputStream out = Content.Sink.asOutputStream(response);
        String model = req.path("model").asString();
        Thread.sleep(firstTokenDelayMillis);
        event(out, chunk(model, "{\"role\":\"assistant\",\"content\":\"\"}", null));
        java.util.List<String> words = reply == null ? null : java.util.List.of(reply.apply(req).split("(?<= )"));
        int count = words == null ? tokens : words.size();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                Thread.sleep(tokenDelayMillis);
            }
            if (mode == Mode.STALL_MID_STREAM && i == 2) {
                out.flush();
                hangRelease.await(30, java.util.concurrent.TimeUnit.SECONDS); // silent, connection open
                callback.failed(new IOException("stalled"));
                return;
            }
            if (mode == Mode.DIE_MID_STREAM && i == 2) {
                out.flush();
                Thread.sleep(100); // let what was written reach the socket before the connection is cut
                callback.failed(new IOException("simulated backend crash"));
                return;
            }
            String piece = words == null ? "tok" + i + " " : words.get(i);
            event(out, chunk(model, "{\"content\":" + Json.MAPPER.writeValueAsString(piece) + "}", null));
        }
        event(out, chunk(model, "{}", "stop"));
        if (req.path("stream_options").path("include_usage").asBoolean(false) && mode != Mode.NO_USAGE) {
            event(out, "{\"id\":\"chatcmpl-" + name + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                    + "\"model\":\"" + model + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":"
                    + count + ",\"total_tokens\":" + (11 + count) + "}}");
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        out.close();
        callback.succeeded();
    }

    private String chunk(String model, String delta, String finish) {
        return "{\"id\":\"chatcmpl-" + name + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\""
                + model + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static void event(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(Response response, Callback callback, int status, String json) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
    }
}
