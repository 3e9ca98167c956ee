package io.cervella.app.server;

import io.cervella.core.http.ApiException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/** Errors Jetty raises itself (malformed requests, shutdown) in the same JSON shape as ours. */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus() > 0 ? response.getStatus() : 500;
        Object attr = request.getAttribute(ERROR_STATUS);
        if (attr instanceof Integer s) {
            status = s;
        }
        Object message = request.getAttribute(ERROR_MESSAGE);
        String type = status >= 500 ? "server_error" : "invalid_request_error";
        // A server error's message may be an exception's text: keep it for the log, not the client.
        String text = status >= 500 || message == null ? "HTTP error " + status : message.toString();
        ApiException e = new ApiException(status, type, "http_" + status, text);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(e.body()), callback);
        return true;
    }
}
