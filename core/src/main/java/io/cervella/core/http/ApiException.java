package io.cervella.core.http;

import java.util.Map;

/**
 * An error that reaches the client as {@code {"error":{"message","type","code"}}}, the OpenAI shape.
 * Handlers throw it; the dispatcher writes it. Messages are for users and never hold secrets.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;
    private final Map<String, String> headers;

    public ApiException(int status, String type, String code, String message, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    public ApiException(int status, String type, String code, String message) {
        this(status, type, code, message, Map.of());
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, "invalid_request_error", code, message);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "authentication_error", "invalid_api_key", message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "permission_error", "insufficient_scope", message);
    }

    public static ApiException notFound(String code, String message) {
        return new ApiException(404, "invalid_request_error", code, message);
    }

    public static ApiException tooManyRequests(String code, String message, long retryAfterSeconds) {
        return new ApiException(429, "rate_limit_error", code, message,
                Map.of("Retry-After", Long.toString(Math.max(1, retryAfterSeconds))));
    }

    public int status() { return status; }
    public String type() { return type; }
    public String code() { return code; }
    public Map<String, String> headers() { return headers; }

    /** The JSON body, also usable as the payload of an SSE error event. */
    public byte[] body() {
        var error = Json.object();
        error.put("message", getMessage());
        error.put("type", type);
        error.put("code", code);
        var root = Json.object();
        root.set("error", error);
        return Json.bytes(root);
    }
}
