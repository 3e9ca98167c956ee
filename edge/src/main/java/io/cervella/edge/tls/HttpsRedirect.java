package io.cervella.edge.tls;

import java.util.function.IntSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The plain-HTTP port's only answer: every request that came in on {@code plainHttp} gets a 308 to the
 * same path and query over HTTPS (the method and body are kept); nothing is served in clear text.
 * Requests from the other connectors go on to the next handler.
 */
public final class HttpsRedirect extends Handler.Wrapper {
    private final Connector plainHttp;
    private final IntSupplier httpsPort;

    public HttpsRedirect(Connector plainHttp, IntSupplier httpsPort, Handler next) {
        super(next);
        this.plainHttp = plainHttp;
        this.httpsPort = httpsPort;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (request.getConnectionMetaData().getConnector() != plainHttp) {
            return super.handle(request, response, callback);
        }
        response.setStatus(HttpStatus.PERMANENT_REDIRECT_308);
        response.getHeaders().put(HttpHeader.LOCATION, location(request));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
        response.write(true, null, callback);
        return true;
    }

    private String location(Request request) {
        // the name the client used (Host, without its port), else the address it reached
        String host = Request.getServerName(request);
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        int port = httpsPort.getAsInt();
        String path = request.getHttpURI().getPathQuery();
        return "https://" + host + (port == 443 ? "" : ":" + port) + (path == null || !path.startsWith("/") ? "/" : path);
    }
}
