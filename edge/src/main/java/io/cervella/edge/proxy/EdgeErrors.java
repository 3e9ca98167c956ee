package io.cervella.edge.proxy;

import io.cervella.core.http.ApiException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Errors the edge itself answers, in the platform's JSON error shape, with Retry-After where it helps. */
public final class EdgeErrors {
    private EdgeErrors() {}

    public static void write(Request request, Response response, Callback callback, int status, String code, String message,
                             long retryAfterSeconds) {
        String type = switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            case 413, 400, 404 -> "invalid_request_error";
            default -> "server_error";
        };
        write(response, callback, new ApiException(status, type, code, message, retryAfterSeconds > 0
                ? java.util.Map.of("Retry-After", Long.toString(retryAfterSeconds)) : java.util.Map.of()));
    }

    public static void write(Response response, Callback callback, ApiException e) {
        if (response.isCommitted()) {
            callback.failed(e);
            return;
        }
        response.setStatus(e.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        e.headers().forEach((k, v) -> response.getHeaders().put(k, v));
        response.write(true, ByteBuffer.wrap(e.body()), callback);
    }
}
