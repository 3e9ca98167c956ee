package io.cervella.core.http;

import io.cervella.core.keys.ApiKeyRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Fields;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One request and its response, seen by an endpoint as blocking calls (endpoints run on virtual
 * threads). Keeps the endpoints free of Jetty's callback style.
 */
public final class Exchange {
    private final Request request;
    private final Response response;
    private final ApiKeyRecord key;
    private final Map<String, String> pathParams;
    private final long maxBodyBytes;
    private OutputStream stream;

    public Exchange(Request request, Response response, ApiKeyRecord key, Map<String, String> pathParams,
                    long maxBodyBytes) {
        this.request = request;
        this.response = response;
        this.key = key;
        this.pathParams = pathParams;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The authenticated key; null only on the open routes (/healthz, /readyz). */
    public ApiKeyRecord key() { return key; }

    public String method() { return request.getMethod(); }

    public String path() { return Request.getPathInContext(request); }

    public String pathParam(String name) { return pathParams.get(name); }

    public Optional<String> query(String name) {
        Fields fields = Request.extractQueryParameters(request);
        return Optional.ofNullable(fields.getValue(name));
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(request.getHeaders().get(name));
    }

    /** Reads the whole body, refusing one over the configured limit with 413 before reading it all. */
    public byte[] body() throws IOException {
        try (InputStream in = Content.Source.asInputStream(request)) {
            if (request.getLength() > maxBodyBytes) {
                drain(in);
                throw tooLarge();
            }
            long declared = request.getLength();
            if (declared >= 0) {
                // the length is known: one array of that size, read into (no growing and joining of parts)
                byte[] bytes = new byte[(int) declared];
                if (in.readNBytes(bytes, 0, bytes.length) == declared && in.read() < 0) {
                    return bytes;
                }
                throw ApiException.badRequest("invalid_body", "the request body does not match its Content-Length");
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            if (bytes.length > maxBodyBytes) {
                drain(in);
                throw tooLarge();
            }
            return bytes;
        }
    }

    /**
     * The body as a stream, for a handler that parses it as it arrives (no copy of it all first): one
     * that declares more than the limit is refused with 413 before it is read, and one that turns out
     * longer fails its read with 413 at the limit.
     */
    public InputStream bodyStream() throws IOException {
        InputStream in = Content.Source.asInputStream(request);
        if (request.getLength() > maxBodyBytes) {
            drain(in);
            throw tooLarge();
        }
        return new java.io.FilterInputStream(in) {
            private long left = maxBodyBytes;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0 && --left < 0) {
                    drain(in); // so that the client, still sending, reads the 413
                    throw tooLarge();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                // one byte past the limit is asked for, to tell a body of exactly the limit from a longer one
                int n = super.read(b, off, left >= Integer.MAX_VALUE ? len : (int) Math.min(len, left + 1));
                if (n > 0 && (left -= n) < 0) {
                    drain(in);
                    throw tooLarge();
                }
                return n;
            }
        };
    }

    /**
     * Reads and drops the rest of a refused body, up to a bound, so that the client can read the 413
     * (an HTTP/2 stream reset or a closed HTTP/1.1 connection would hide it). Beyond the bound the
     * client gets the reset: a flood is not worth reading.
     */
    private static void drain(InputStream in) throws IOException {
        long left = 16L * 1024 * 1024;
        byte[] sink = new byte[16 * 1024];
        int n;
        while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
            left -= n;
        }
    }

    private ApiException tooLarge() {
        return new ApiException(413, "invalid_request_error", "request_too_large",
                "request body is larger than the limit of " + maxBodyBytes + " bytes (server.max_body_bytes)");
    }

    /** Parses the body as one JSON value; malformed JSON is a 400 that says where it broke. */
    public JsonNode jsonBody() throws IOException {
        byte[] bytes = body();
        if (bytes.length == 0) {
            throw ApiException.badRequest("invalid_json", "request body is empty; a JSON object was expected");
        }
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw ApiException.badRequest("invalid_json", "request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    public void setHeader(String name, String value) {
        response.getHeaders().put(name, value);
    }

    public void sendJson(int status, Object value) throws IOException {
        send(status, "application/json", Json.bytes(value));
    }

    public void send(int status, String contentType, byte[] body) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(new HttpField(HttpHeader.CONTENT_LENGTH, Integer.toString(body.length)));
        try (Blocker.Callback cb = Blocker.callback()) {
            response.write(true, ByteBuffer.wrap(body), cb);
            cb.block();
        }
    }

    /**
     * Reads and drops whatever of the request body is still unread (bounded), so that an error sent
     * before the body was read reaches HTTP/2 clients as a response, not as a reset stream.
     */
    public void discardBody() {
        try (InputStream in = Content.Source.asInputStream(request)) {
            drain(in);
        } catch (IOException | RuntimeException ignored) {
            // the client is gone or sent garbage: the error response is all that is left to try
        }
    }

    public void sendError(ApiException error) throws IOException {
        error.headers().forEach(this::setHeader);
        send(error.status(), "application/json", error.body());
    }

    /**
     * Starts a streamed response. Every {@code write} goes out at once (no buffering), which is
     * what server-sent events need; call {@link OutputStream#flush()} is not required.
     */
    public OutputStream startStream(int status, String contentType) {
        if (stream == null) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            stream = Content.Sink.asOutputStream(response);
        }
        return stream;
    }

    public boolean isCommitted() {
        return response.isCommitted();
    }
}
