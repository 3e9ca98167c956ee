package io.cervella.vault.client;

import io.cervella.core.http.Json;
import io.cervella.vault.protocol.ChunkFrames;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A device's side of the sync protocol over HTTPS (docs/formats/vault.md, Sync protocol), one method a
 * request. The server's refusals come back as {@link ServerException} with its status and message.
 */
public final class VaultClient {
    private final String base;
    private final String key;
    private final HttpClient http;

    /** A refusal from the server: its HTTP status, error code and message. */
    public static final class ServerException extends IOException {
        private final int status;
        private final String code;
        private final JsonNode body;

        ServerException(int status, String code, String message, JsonNode body) {
            super(message);
            this.status = status;
            this.code = code;
            this.body = body;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }

        public JsonNode body() {
            return body;
        }
    }

    /** @param ssl trusts the server's certificate (its CA with --cacert), or null for the system's trust store */
    public VaultClient(String baseUrl, String key, SSLContext ssl) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.key = key;
        // HTTP/1.1: profiling the first sync showed the JDK client moving bulk uploads markedly faster over
        // it than over HTTP/2; concurrent requests simply get their own connections
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10));
        if (ssl != null) {
            b.sslContext(ssl);
        }
        this.http = b.build();
    }

    public String baseUrl() {
        return base;
    }

    public JsonNode info() throws IOException {
        return json(send(request("/vault/info", Duration.ofSeconds(30)).GET()));
    }

    public List<String> missing(List<String> hashes) throws IOException {
        ObjectNode body = Json.object();
        hashes.forEach(body.putArray("hashes")::add);
        JsonNode r = json(send(post("/vault/chunks/missing", body)));
        List<String> out = new ArrayList<>();
        r.path("missing").forEach(h -> out.add(h.asString()));
        return out;
    }

    /** Sends a batch of chunk frames ({@link ChunkFrames}). */
    public void putChunks(byte[] frames) throws IOException {
        send(request("/vault/chunks", Duration.ofMinutes(2)).header("Content-Type", ChunkFrames.CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(frames)));
    }

    /** Chunks by content hash: the server sends as many as fit in one response, in the order asked. */
    public List<ChunkFrames.Frame> readChunks(List<String> hashes) throws IOException {
        ObjectNode body = Json.object();
        hashes.forEach(body.putArray("hashes")::add);
        return ChunkFrames.read(new ByteArrayInputStream(send(post("/vault/chunks/read", body))));
    }

    /** Commits changes; a 409 (chunks missing) comes back as a ServerException whose body lists them. */
    public JsonNode commit(List<ObjectNode> files) throws IOException {
        ObjectNode body = Json.object();
        files.forEach(body.putArray("files")::add);
        return json(send(post("/vault/commit", body)));
    }

    /** A page of versions committed after {@code since}; with {@code waitSeconds}, waits for one to come. */
    public JsonNode changes(long since, int waitSeconds, int limit) throws IOException {
        String q = "/vault/changes?since=" + since + (waitSeconds > 0 ? "&wait=" + waitSeconds : "") + (limit > 0 ? "&limit=" + limit : "");
        return json(send(request(q, Duration.ofSeconds(60L + waitSeconds)).GET()));
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).header("Authorization", "Bearer " + key);
    }

    private HttpRequest.Builder post(String path, JsonNode body) {
        return request(path, Duration.ofMinutes(2)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)));
    }

    private byte[] send(HttpRequest.Builder req) throws IOException {
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } catch (IOException e) {
            String hint = e.getMessage() != null && e.getMessage().contains("PKIX") ? " (pass --cacert DATA/tls/ca.pem)" : "";
            throw new IOException("cannot reach " + base + ": " + e.getMessage() + hint, e);
        }
        if (resp.statusCode() / 100 != 2) {
            JsonNode body;
            try {
                body = Json.MAPPER.readTree(resp.body());
            } catch (RuntimeException e) {
                body = Json.object();
            }
            throw new ServerException(resp.statusCode(), body.path("error").path("code").asString(""),
                    base + " answered HTTP " + resp.statusCode() + ": " + body.path("error").path("message").asString("(no message)"), body);
        }
        return resp.body();
    }

    private static JsonNode json(byte[] body) throws IOException {
        try {
            return Json.MAPPER.readTree(body);
        } catch (RuntimeException e) {
            throw new IOException("the server's answer is not JSON: " + e.getMessage());
        }
    }
}
