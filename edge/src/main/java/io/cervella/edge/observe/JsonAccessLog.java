package io.cervella.edge.observe;

import io.cervella.edge.net.ClientAddress;
import io.cervella.edge.proxy.EdgeHandler;
import java.time.Instant;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;

/**
 * The access log: one JSON object a line (as Caddy, Traefik and Envoy write them), through Jetty's
 * asynchronous writer. Never a secret: no query string (tokens travel there), no Authorization or
 * cookies; the key appears only by its public id.
 */
public final class JsonAccessLog implements RequestLog {
    private final RequestLog.Writer writer;
    private final ClientAddress clients;

    public JsonAccessLog(RequestLog.Writer writer, ClientAddress clients) {
        this.writer = writer;
        this.clients = clients;
    }

    @Override
    public void log(Request request, Response response) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"time\":\"").append(Instant.ofEpochMilli(Request.getTimeStamp(request))).append('"');
        var client = clients.of(request);
        field(b, "client", client == null ? null : client.getHostAddress());
        field(b, "method", request.getMethod());
        field(b, "host", Request.getServerName(request));
        field(b, "path", request.getHttpURI().getPath());
        field(b, "protocol", request.getConnectionMetaData().getProtocol());
        b.append(",\"status\":").append(response.getStatus());
        b.append(",\"bytes_in\":").append(Math.max(0, request.getLength()));
        b.append(",\"bytes_out\":").append(Response.getContentBytesWritten(response));
        long nanos = System.nanoTime() - request.getBeginNanoTime();
        b.append(",\"duration_ms\":").append(String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e6));
        field(b, "app", EdgeHandler.appOf(request));
        field(b, "upstream", EdgeHandler.upstreamOf(request));
        Object key = request.getAttribute(EdgeHandler.KEY_ATTRIBUTE);
        field(b, "key", key == null ? null : key.toString());
        field(b, "user_agent", request.getHeaders().get(HttpHeader.USER_AGENT));
        b.append('}');
        try {
            writer.write(b.toString());
        } catch (java.io.IOException e) {
            // a full disk must not fail requests; Jetty's writer reports it
        }
    }

    private static void field(StringBuilder b, String name, String value) {
        if (value == null) {
            return;
        }
        b.append(",\"").append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
