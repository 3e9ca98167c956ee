package io.cervella.inference.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;

/** Speaks HTTP to OpenAI-compatible servers. Blocking calls, made from virtual threads. */
final class UpstreamClient implements AutoCloseable {
    private final HttpClient http;

    UpstreamClient() {
        this.http = HttpClient.newBuilder()
                // vLLM, llama.cpp server and Ollama speak HTTP/1.1; asking for h2c would cost an upgrade round trip.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    /** Sends a request and returns once the response headers are in; the body is left to the caller. */
    HttpResponse<InputStream> post(Backend backend, String path, byte[] body, Duration headersTimeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(backend.config().url() + path))
                .timeout(headersTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        authorize(backend, req);
        return http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    HttpResponse<byte[]> get(Backend backend, String path, Duration timeout) throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(backend.config().url() + path))
                .timeout(timeout)
                .GET();
        authorize(backend, req);
        return http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void authorize(Backend backend, HttpRequest.Builder req) {
        if (backend.apiKey() != null) {
            req.header("Authorization", "Bearer " + backend.apiKey());
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
