package io.cervella.edge.proxy;

import io.cervella.edge.balance.Upstream;
import io.cervella.edge.net.ClientAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
    private static final String BODY_READ = AppProxy.class.getName() + ".bodyRead";
    private static final String TOO_LARGE = AppProxy.class.getName() + ".tooLarge";
    private static final String DECIDED = AppProxy.class.getName() + ".decided";
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
            return app.refuseNoUpstream(request, response, callback);
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
        // the normalized path, as routing and the firewall saw it: a raw /apps/a/../b must not reach the upstream as written
        String path = request.getHttpURI().getCanonicalPath();
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

    /**
     * The client's body as the proxy reads it: counts bytes against the app's limit (bodies without a
     * length too), notes that a body was read (no retry may then resend it) and that a failure came from
     * the client (not the upstream's fault).
     */
    @Override
    protected org.eclipse.jetty.client.Request.Content newProxyToServerRequestContent(Request request, Response response,
                                                                                    org.eclipse.jetty.client.Request toServer) {
        long max = app.config().maxBodyBytes();
        return new ProxyRequestContent(request) {
            private long read;

            @Override
            public org.eclipse.jetty.io.Content.Chunk read() {
                org.eclipse.jetty.io.Content.Chunk chunk = super.read();
                if (chunk == null) {
                    return null;
                }
                if (org.eclipse.jetty.io.Content.Chunk.isFailure(chunk)) {
                    request.setAttribute(CLIENT_FAILED, Boolean.TRUE);
                    return chunk;
                }
                if (chunk.hasRemaining()) {
                    request.setAttribute(BODY_READ, Boolean.TRUE);
                    read += chunk.remaining();
                    if (read > max) {
                        chunk.release();
                        request.setAttribute(TOO_LARGE, Boolean.TRUE);
                        return org.eclipse.jetty.io.Content.Chunk.from(new IllegalStateException(
                                "the body is larger than the app's limit of " + max + " bytes"), true);
                    }
                }
                return chunk;
            }
        };
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
        // every X-Forwarded-For line a trusted proxy sent, in order (a proxy may add a line of its own)
        String earlier = viaTrustedProxy ? String.join(", ", request.getHeaders().getValuesList(HttpHeader.X_FORWARDED_FOR)) : null;
        String peer = ClientAddress.text(request);
        if (!viaTrustedProxy) {
            // whatever a client says about forwarding is dropped: apps build redirects from X-Forwarded-Prefix/-Port
            List<String> forged = new ArrayList<>();
            for (org.eclipse.jetty.http.HttpField f : h) {
                String n = f.getLowerCaseName();
                if (n.startsWith("x-forwarded-") || n.equals("x-original-url") || n.equals("x-rewrite-url")) {
                    forged.add(f.getName());
                }
            }
            forged.forEach(h::remove);
        }
        if (app.stripPrefix() && app.prefix().length() > 1) {
            h.put("X-Forwarded-Prefix", app.prefix().substring(0, app.prefix().length() - 1));
        }
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
    protected void onServerToProxyResponseFailure(Request request, org.eclipse.jetty.client.Request toServer,
                                                  org.eclipse.jetty.client.Response fromServer, Response response,
                                                  Callback callback, Throwable failure) {
        Upstream u = (Upstream) request.getAttribute(UPSTREAM);
        u.finished();
        if (request.getAttribute(TOO_LARGE) != null) {
            u.breaker().onAbandoned();
            app.metrics().exchange(u, 413, elapsed(request));
            error(request, response, callback, failure, 413, "body_too_large",
                    "app '" + app.name() + "' takes bodies up to " + app.config().maxBodyBytes() + " bytes");
            return;
        }
        if (request.getAttribute(CLIENT_FAILED) != null) {
            u.breaker().onAbandoned(); // the client went away or sent its body too slowly: says nothing of the upstream
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
        error(request, response, callback, failure, status, status == 504 ? "upstream_timeout" : "upstream_failed",
                "app '" + app.name() + "': its upstream " + (status == 504 ? "did not answer in time" : "failed to answer"));
    }

    /**
     * The edge's own error instead of the upstream's answer; the upstream's status and headers, copied
     * before it failed, are dropped first (its Content-Length would not match; its cookies are not ours).
     */
    private static void error(Request request, Response response, Callback callback, Throwable failure, int status,
                              String code, String message) {
        if (response.isCommitted()) {
            callback.failed(failure);
            return;
        }
        String hsts = response.getHeaders().get(HttpHeader.STRICT_TRANSPORT_SECURITY);
        response.reset();
        if (hsts != null) {
            response.getHeaders().put(HttpHeader.STRICT_TRANSPORT_SECURITY, hsts);
        }
        EdgeErrors.write(request, response, callback, status, code, message, 0);
    }

    private static boolean retryable(Request request) {
        // a body part of which went to the first upstream cannot be sent again whole
        return IDEMPOTENT.contains(request.getMethod()) && request.getAttribute(BODY_READ) == null;
    }

    /** A 502, 503 or 504 counts against the upstream's breaker; any other answer for it. */
    private static void judge(Upstream u, int status) {
        if (status == 502 || status == 503 || status == 504) {
            u.breaker().onFailure();
        } else {
            u.breaker().onSuccess();
        }
    }

    /**
     * Jetty's listener, plus two things at the upstream's response headers: the breaker hears the
     * verdict then (a half-open trial that is a long stream must not hold the upstream back for its
     * whole length), and headers the upstream's Connection header names, hop-by-hop, are dropped.
     */
    @Override
    protected org.eclipse.jetty.client.Response.CompleteListener newServerToProxyResponseListener(
            Request request, org.eclipse.jetty.client.Request toServer, Response response, Callback callback) {
        return new ProxyResponseListener(request, toServer, response, callback) {
            @Override
            public void onHeaders(org.eclipse.jetty.client.Response fromServer) {
                super.onHeaders(fromServer);
                for (String value : fromServer.getHeaders().getValuesList(HttpHeader.CONNECTION)) {
                    for (String name : value.split(",")) {
                        if (!name.isBlank()) {
                            response.getHeaders().remove(name.trim());
                        }
                    }
                }
                Upstream u = (Upstream) request.getAttribute(UPSTREAM);
                judge(u, fromServer.getStatus());
                request.setAttribute(DECIDED, Boolean.TRUE);
            }
        };
    }

    @Override
    protected void onProxyToClientResponseComplete(Request request, org.eclipse.jetty.client.Request toServer,
                                                   org.eclipse.jetty.client.Response fromServer, Response response,
                                                   Callback callback) {
        Upstream u = (Upstream) request.getAttribute(UPSTREAM);
        u.finished();
        int status = fromServer.getStatus();
        if (request.getAttribute(DECIDED) == null) {
            judge(u, status);
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
