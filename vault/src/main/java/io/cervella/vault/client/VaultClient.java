package io.cervella.vault.client;

import io.cervella.core.http.Json;
import io.cervella.vault.protocol.ChunkFrames;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
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
public final class VaultClient implements AutoCloseable {
    private final String base;
    private final String key;
    private final String prefix;
    private final Http1Client http;

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
        URI uri = URI.create(base);
        if (!"https".equalsIgnoreCase(uri.getScheme()) && !"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException(baseUrl + ": the server's URL starts with https://");
        }
        this.prefix = uri.getRawPath() == null ? "" : uri.getRawPath();
        this.http = new Http1Client(uri, ssl);
    }

    public String baseUrl() {
        return base;
    }

    public JsonNode info() throws IOException {
        return json(send("GET", "/vault/info", null, null, 0, Duration.ofSeconds(30), true));
    }

    public List<String> missing(List<String> hashes) throws IOException {
        ObjectNode body = Json.object();
        hashes.forEach(body.putArray("hashes")::add);
        JsonNode r = json(post("/vault/chunks/missing", body, true));
        List<String> out = new ArrayList<>();
        r.path("missing").forEach(h -> out.add(h.asString()));
        return out;
    }

    /** Sends a batch of chunk frames ({@link ChunkFrames}); chunks are named by their content, so a resend is harmless. */
    public void putChunks(byte[] frames) throws IOException {
        putChunks(frames, frames.length);
    }

    /** Sends the frames in the first {@code length} bytes of {@code frames}. */
    public void putChunks(byte[] frames, int length) throws IOException {
        send("POST", "/vault/chunks", ChunkFrames.CONTENT_TYPE, frames, length, Duration.ofMinutes(2), true);
    }

    /** Chunks by content hash: the server sends as many as fit in one response, in the order asked. */
    public List<ChunkFrames.Frame> readChunks(List<String> hashes) throws IOException {
        ObjectNode body = Json.object();
        hashes.forEach(body.putArray("hashes")::add);
        return ChunkFrames.read(new ByteArrayInputStream(post("/vault/chunks/read", body, true)));
    }

    /** Commits changes; a 409 (chunks missing) comes back as a ServerException whose body lists them. */
    public JsonNode commit(List<ObjectNode> files) throws IOException {
        ObjectNode body = Json.object();
        files.forEach(body.putArray("files")::add);
        try {
            return json(post("/vault/commit", body, false));
        } catch (ServerException e) {
            throw e;
        } catch (IOException e) {
            // sent, perhaps taken: a commit is never sent twice blindly; the next run compares and finds out
            throw new IOException(e.getMessage() + "; whether the server took the commit is unknown: the next sync finds out", e);
        }
    }

    /** A page of versions committed after {@code since}; with {@code waitSeconds}, waits for one to come. */
    public JsonNode changes(long since, int waitSeconds, int limit) throws IOException {
        String q = "/vault/changes?since=" + since + (waitSeconds > 0 ? "&wait=" + waitSeconds : "") + (limit > 0 ? "&limit=" + limit : "");
        return json(send("GET", q, null, null, 0, Duration.ofSeconds(60L + waitSeconds), true));
    }

    /** Closes the connections kept open. */
    @Override
    public void close() {
        http.close();
    }

    private byte[] post(String path, JsonNode body, boolean repeatable) throws IOException {
        byte[] json = Json.bytes(body);
        return send("POST", path, "application/json", json, json.length, Duration.ofMinutes(2), repeatable);
    }

    private byte[] send(String method, String path, String contentType, byte[] body, int bodyLength, Duration timeout,
                        boolean repeatable) throws IOException {
        List<String> headers = contentType == null ? List.of("Authorization", "Bearer " + key)
                : List.of("Authorization", "Bearer " + key, "Content-Type", contentType);
        Http1Connection.Response resp;
        try {
            resp = http.send(method, prefix + path, headers, body, bodyLength, timeout, repeatable);
        } catch (IOException e) {
            String hint = e.getMessage() != null && e.getMessage().contains("PKIX") ? " (pass --cacert DATA/tls/ca.pem)" : "";
            throw new IOException("cannot reach " + base + ": " + e.getMessage() + hint, e);
        }
        if (resp.status() / 100 != 2) {
            JsonNode answer;
            try {
                answer = Json.MAPPER.readTree(resp.body());
            } catch (RuntimeException e) {
                answer = Json.object();
            }
            throw new ServerException(resp.status(), answer.path("error").path("code").asString(""),
                    base + " answered HTTP " + resp.status() + ": " + answer.path("error").path("message").asString("(no message)"), answer);
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
