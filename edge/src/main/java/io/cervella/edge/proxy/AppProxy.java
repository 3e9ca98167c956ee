package io.cervella.edge.proxy;

import io.cervella.edge.balance.Upstream;
import io.cervella.edge.net.ClientAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The reverse proxy of one app, on Jetty's {@link ProxyHandler} (streamed both ways, so SSE and long
 * downloads pass through as they come): picks the upstream, sets the X-Forwarded headers, strips the
 * prefix, and on a failure before any answer retries an idempotent request without a body on another
 * upstream. Every exchange's outcome feeds the upstream's breaker and the app's metrics. WebSocket
 * handshakes, whose Upgrade header the ProxyHandler drops, go to {@link WebSocketTunnel} instead.
 */
class AppProxy extends ProxyHandler {
    private static final String UPSTREAM = AppProxy.class.getName() + ".upstream";
    private static final String TRIED = AppProxy.class.getName() + ".tried";
    private static final String STARTED = AppProxy.class.getName() + ".started";
    private static final String CLIENT_FAILED = AppProxy.class.getName() + ".clientFailed";
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    private final HostedApp app;
    private final ClientAddress clients;
    private final WebSocketTunnel webSockets;

    AppProxy(HostedApp app, ClientAddress clients) {
        this.app = app;
        this.clients = clients;
        this.webSockets = new WebSocketTunnel(app, this);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (WebSocketTunnel.requested(request)) {
            return webSockets.handle(request, response, callback);
        }
        @SuppressWarnings("unchecked")
        List<Upstream> tried = (List<Upstream>) request.getAttribute(TRIED);
        if (tried == null) {
            tried = new ArrayList<>(2);
            request.setAttribute(TRIED, tried);
            request.setAttribute(STARTED, System.nanoTime());
        }
        Upstream upstream = app.choose(tried);
        if (upstream == null) {
            app.metrics().noUpstream();
            EdgeErrors.write(request, response, callback, 503, "no_healthy_upstream",
                    "app '" + app.name() + "' has no healthy upstream right now", 5);
            return true;
        }
        tried.add(upstream);
        request.setAttribute(UPSTREAM, upstream);
        upstream.started();
        return super.handle(request, response instanceof ClientWrites ? response : new ClientWrites(request, response), callback);
    }

    /**
     * The response as the proxy writes it, noting a write the client failed (it went away): Jetty then
     * aborts the upstream exchange, and that failure is the client's, not the upstream's.
     */
    private static final class ClientWrites extends Response.Wrapper {
        ClientWrites(Request request, Response response) {
            super(request, response);
        }

        @Override
        public void write(boolean last, java.nio.ByteBuffer content, Callback callback) {
            super.write(last, content, Callback.from(callback.getInvocationType(), callback::succeeded, failure -> {
                getRequest().setAttribute(CLIENT_FAILED, Boolean.TRUE);
                callback.failed(failure);
            }));
        }
    }

    @Override
    protected HttpURI rewriteHttpURI(Request request) {
        return target(request, (Upstream) request.getAttribute(UPSTREAM));
    }

    /** The request's URI on upstream {@code u}: its URL's path, then the request's path less the prefix, and the query. */
    HttpURI target(Request request, Upstream u) {
        String path = request.getHttpURI().getPath();
        String rest = app.stripPrefix() ? path.substring(Math.min(path.length(), app.prefix().length() - 1)) : path;
        rest = rest.isEmpty() ? "/" : rest;
        // built from parts: parsing the upstream's URL again on every request showed in profiles
        return HttpURI.build().scheme(u.scheme()).host(u.host()).port(u.port()).path(u.basePath() + rest)
                .query(request.getHttpURI().getQuery());
    }

    @Override
    protected org.eclipse.jetty.client.Request newProxyToServerRequest(Request request, HttpURI uri) {
        var timeouts = app.config().timeouts();
        Upstream u = (Upstream) request.getAttribute(UPSTREAM);
        var r = getHttpClient().newRequest(u.host(), u.port()).scheme(u.scheme()).method(request.getMethod())
                .path(uri.getPathQuery())
                .idleTimeout((long) (timeouts.idleSeconds() * 1000), TimeUnit.MILLISECONDS);
        if (timeouts.responseSeconds() > 0) {
            r.timeout((long) (timeouts.responseSeconds() * 1000), TimeUnit.MILLISECONDS);
        }
        return r;
    }

    @Override
    protected void copyRequestHeaders(Request request, org.eclipse.jetty.client.Request toServer) {
        super.copyRequestHeaders(request, toServer);
        toServer.headers(h -> {
            h.remove(HttpHeader.HOST); // the upstream's own name, from its URL; the client's goes in X-Forwarded-Host
            if (app.config().requiresKey()) {
                h.remove(HttpHeader.AUTHORIZATION); // our key is for us, never for the app
            }
        });
    }

    @Override
    protected void addProxyHeaders(Request request, org.eclipse.jetty.client.Request toServer) {
        toServer.headers(h -> putForwardedHeaders(request, h));
        addViaHeader(request, toServer);
    }

    /** X-Forwarded-For/Proto/Host and X-Real-IP for the upstream, in place of any the client sent. */
    void putForwardedHeaders(Request request, HttpFields.Mutable h) {
        InetAddress client = clients.of(request);
        String host = request.getHeaders().get(HttpHeader.HOST);
        boolean viaTrustedProxy = clients.peerIsTrusted(request);
        String earlier = viaTrustedProxy ? request.getHeaders().get(HttpHeader.X_FORWARDED_FOR) : null;
        String peer = ClientAddress.text(request);
        h.put(HttpHeader.X_FORWARDED_FOR, earlier == null || earlier.isBlank() ? peer : earlier + ", " + peer);
        h.put(HttpHeader.X_FORWARDED_PROTO, request.isSecure() ? "https" : "http");
        if (host != null) {
            h.put(HttpHeader.X_FORWARDED_HOST, host);
        } else {
            h.remove(HttpHeader.X_FORWARDED_HOST);
        }
        h.remove(HttpHeader.FORWARDED); // one convention, not two that may disagree
        h.remove("X-Real-IP");
        if (client != null) {
            h.put("X-Real-IP", client.getHostAddress());
        }
    }

    @Override
    protected HttpField filterServerToProxyResponseField(HttpField field) {
        return field;
    }

    @Override
    protected void onServerToProxyResponseFailure(Request request, org.eclipse.jetty.client.Request toServer,
                                                  org.eclipse.jetty.client.Response fromServer, Response response,
                                                  Callback callback, Throwable failure) {
        Upstream u = (Upstream) request.getAttribute(UPSTREAM);
        u.finished();
        if (request.getAttribute(CLIENT_FAILED) != null) {
            u.breaker().onAbandoned(); // the client went away mid-answer: says nothing of the upstream
            app.metrics().exchange(u, 499, elapsed(request));
            callback.failed(failure);
            return;
        }
        u.breaker().onFailure();
        @SuppressWarnings("unchecked")
        List<Upstream> tried = (List<Upstream>) request.getAttribute(TRIED);
        boolean nothingSent = !response.isCommitted() && (fromServer == null || fromServer.getStatus() == 0);
        if (nothingSent && retryable(request) && tried.size() <= app.config().retries() && app.hasAlternative(tried)) {
            app.metrics().retried(u);
            handle(request, response, callback);
            return;
        }
        int status = failure instanceof TimeoutException ? 504 : 502;
        app.metrics().exchange(u, status, elapsed(request));
        if (response.isCommitted()) {
            callback.failed(failure);
            return;
        }
        EdgeErrors.write(request, response, callback, status, status == 504 ? "upstream_timeout" : "upstream_failed",
                "app '" + app.name() + "': its upstream " + (status == 504 ? "did not answer in time" : "failed to answer"), 0);
    }

    private static boolean retryable(Request request) {
        if (!IDEMPOTENT.contains(request.getMethod())) {
            return false;
        }
        // a body has been read into the first attempt: it cannot be sent again
        return request.getLength() <= 0 && request.getHeaders().get(HttpHeader.TRANSFER_ENCODING) == null;
    }

    @Override
    protected void onProxyToClientResponseComplete(Request request, org.eclipse.jetty.client.Request toServer,
                                                   org.eclipse.jetty.client.Response fromServer, Response response,
                                                   Callback callback) {
        Upstream u = (Upstream) request.getAttribute(UPSTREAM);
        u.finished();
        int status = fromServer.getStatus();
        if (status == 502 || status == 503 || status == 504) {
            u.breaker().onFailure();
        } else {
            u.breaker().onSuccess();
        }
        app.metrics().exchange(u, status, elapsed(request));
        super.onProxyToClientResponseComplete(request, toServer, fromServer, response, callback);
    }

    @Override
    protected void onProxyToClientResponseFailure(Request request, org.eclipse.jetty.client.Request toServer,
                                                  org.eclipse.jetty.client.Response fromServer, Response response,
                                                  Callback callback, Throwable failure) {
        Upstream u = (Upstream) request.getAttribute(UPSTREAM);
        u.finished();
        u.breaker().onAbandoned();
        app.metrics().exchange(u, 499, elapsed(request)); // the client went away (nginx's 499)
        super.onProxyToClientResponseFailure(request, toServer, fromServer, response, callback, failure);
    }

    private static long elapsed(Request request) {
        return System.nanoTime() - (Long) request.getAttribute(STARTED);
    }

    /** Records the upstream a request goes to (or last tried), for the access log. */
    static void servedBy(Request request, Upstream upstream) {
        request.setAttribute(UPSTREAM, upstream);
    }

    /** Closes the WebSocket tunnels still open through this app. */
    void closeTunnels() {
        webSockets.closeAll();
    }

    /** The upstream that served (or last tried) this request, for the access log. */
    static Upstream upstreamOf(Request request) {
        return (Upstream) request.getAttribute(UPSTREAM);
    }
}
