package io.cervella.app.cli;

import io.cervella.app.Main;
import io.cervella.core.http.Json;
import io.cervella.core.tls.TlsContexts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import tools.jackson.databind.JsonNode;

/** The CLI's HTTPS client for the admin API. Errors come back as one readable line. */
final class ServerClient {
    private final String base;
    private final String key;
    private final HttpClient http;
    private final Duration timeout;

    ServerClient(String base, String key, Path cacert) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.key = key;
        this.http = httpClient(cacert);
        this.timeout = Duration.ofSeconds(60);
    }

    /** An HTTP client for the platform's API, trusting {@code cacert} (null: the system's CAs). */
    static HttpClient httpClient(Path cacert) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (cacert != null) {
            try {
                b.sslContext(TlsContexts.clientTrusting(cacert));
            } catch (IOException e) {
                throw new IllegalArgumentException("--cacert: " + e.getMessage());
            }
        }
        return b.build();
    }

    private ServerClient(ServerClient c, Duration timeout) {
        this.base = c.base;
        this.key = c.key;
        this.http = c.http;
        this.timeout = timeout;
    }

    /** The same client waiting longer for each answer (a write that embeds a large file). */
    ServerClient withTimeout(Duration longer) {
        return new ServerClient(this, longer);
    }

    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** A body that is not JSON (a file's content); an error answer is still read as JSON. */
    byte[] getBytes(String path) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).GET().header("Authorization", "Bearer " + key)
                .timeout(timeout).build();
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new Main.CliFailure("cannot reach " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Main.CliFailure("interrupted");
        }
        if (resp.statusCode() / 100 != 2) {
            String message;
            try {
                message = Json.MAPPER.readTree(resp.body()).path("error").path("message").asString("(no message)");
            } catch (RuntimeException e) {
                message = "(no message)";
            }
            throw new Main.CliFailure(base + " answered HTTP " + resp.statusCode() + ": " + message);
        }
        return resp.body();
    }

    JsonNode post(String path, Object body) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))));
    }

    JsonNode delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    private JsonNode send(HttpRequest.Builder req) {
        req.header("Authorization", "Bearer " + key).timeout(timeout);
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new Main.CliFailure("cannot reach " + base + ": " + e.getMessage()
                    + (e.getMessage() != null && e.getMessage().contains("PKIX") ? " (pass --cacert DATA/tls/ca.pem)" : ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Main.CliFailure("interrupted");
        }
        if (resp.statusCode() == 204 || resp.body().length == 0 && resp.statusCode() / 100 == 2) {
            return tools.jackson.databind.node.MissingNode.getInstance(); // 204 No Content (a delete)
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(resp.body());
        } catch (RuntimeException e) {
            throw new Main.CliFailure(base + " answered HTTP " + resp.statusCode() + " with a body that is not JSON");
        }
        if (resp.statusCode() / 100 != 2) {
            throw new Main.CliFailure(base + " answered HTTP " + resp.statusCode() + ": "
                    + body.path("error").path("message").asString("(no message)"));
        }
        return body;
    }
}
