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
        b.append("{\"time\":\"");
        appendTime(b, Request.getTimeStamp(request));
        b.append('"');
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
        b.append(",\"duration_ms\":");
        appendThousandths(b, Math.max(0, nanos / 1000));
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

    /** The cached "yyyy-MM-ddTHH:mm:ss." of the current second: formatting it for every line was measurable. */
    private record Second(long epochSecond, String text) {}

    private volatile Second second = new Second(-1, "");

    /** UTC, ISO 8601 with milliseconds always present ({@code 2026-11-27T01:12:07.045Z}). */
    void appendTime(StringBuilder b, long epochMillis) {
        long epochSecond = Math.floorDiv(epochMillis, 1000);
        Second s = second;
        if (s.epochSecond() != epochSecond) {
            String text = Instant.ofEpochSecond(epochSecond).toString(); // "...:ss Z" without a fraction
            s = new Second(epochSecond, text.substring(0, text.length() - 1) + ".");
            second = s;
        }
        b.append(s.text());
        appendThreeDigits(b, Math.floorMod(epochMillis, 1000));
        b.append('Z');
    }

    /** {@code value / 1000} with three decimals: 12345 → "12.345". */
    static void appendThousandths(StringBuilder b, long value) {
        b.append(value / 1000).append('.');
        appendThreeDigits(b, (int) (value % 1000));
    }

    private static void appendThreeDigits(StringBuilder b, int value) {
        b.append((char) ('0' + value / 100)).append((char) ('0' + value / 10 % 10)).append((char) ('0' + value % 10));
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
