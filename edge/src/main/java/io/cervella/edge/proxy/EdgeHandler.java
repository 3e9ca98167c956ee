package io.cervella.edge.proxy;

import io.cervella.core.keys.ApiKeyRecord;
import io.cervella.core.keys.Authenticator;
import io.cervella.core.keys.Scope;
import io.cervella.edge.guard.Firewall;
import io.cervella.edge.guard.RateLimiter;
import io.cervella.edge.net.ClientAddress;
import java.net.InetAddress;
import java.util.OptionalLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The front of every request, in the order of DESIGN.md: HSTS, the firewall (global and route groups),
 * the per-address rate limit, then the concurrency limit (health checks, metrics and {@code /admin}
 * skip its queue, so they answer under load), then the route: a hosted app (its own firewall, its key
 * and per-key limit, then its proxy) or the platform's API.
 */
public final class EdgeHandler extends Handler.Abstract {
    /** What a reload replaces, swapped in one piece. */
    public record State(Firewall firewall, RateLimiter limiter, AppRoutes apps, String hsts) {}

    private static final String APP_ATTRIBUTE = "cervella.edge.app";

    private final ClientAddress clients;
    private final Authenticator keys;
    private final io.cervella.edge.observe.Rejections rejections;
    private final Handler api;
    private final QoSHandler queue;
    private volatile State state;

    public EdgeHandler(State initial, ClientAddress clients, Authenticator keys, Handler api, int maxConcurrent,
                       int maxQueued, java.time.Duration queueTimeout, io.cervella.edge.observe.Rejections rejections) {
        // Non-blocking: a proxied request is sent on from the thread that read it (Jetty's proxy is
        // asynchronous), as nginx's event loop would; what may block (the platform's API, key lookups,
        // WebSocket handshakes, buckets in PostgreSQL) is handed to a virtual thread.
        super(InvocationType.NON_BLOCKING);
        this.rejections = rejections;
        this.state = initial;
        this.clients = clients;
        this.keys = keys;
        this.api = api;
        this.queue = new QoSHandler(new Handler.Abstract(InvocationType.NON_BLOCKING) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return route(request, response, callback);
            }
        });
        queue.setMaxRequestCount(maxConcurrent);
        queue.setMaxSuspendedRequestCount(maxQueued);
        queue.setMaxSuspend(queueTimeout);
        queue.setRejectStatusCode(503);
        addBean(queue, true);
        addBean(api, true);
    }

    public State state() {
        return state;
    }

    /** The queue and the API are this handler's children: they need the server too (the queue its scheduler). */
    @Override
    public void setServer(org.eclipse.jetty.server.Server server) {
        super.setServer(server);
        queue.setServer(server);
        api.setServer(server);
    }

    /** Swaps in a reloaded state; requests already routed finish with the old one. */
    public void state(State next) {
        this.state = next;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (state.limiter().isShared()) {
            return onVirtualThread(request, response, callback, () -> front(request, response, callback));
        }
        return front(request, response, callback);
    }

    /** One step of handling that may block: returns as {@link Handler#handle} does. */
    @FunctionalInterface
    private interface Step {
        boolean run() throws Exception;
    }

    private static final java.util.concurrent.ThreadFactory VIRTUAL = Thread.ofVirtual().name("edge-request-", 0).factory();

    /** True on the virtual threads this handler started for blocking steps (and only there may a step block). */
    private static final ThreadLocal<Boolean> MAY_BLOCK = new ThreadLocal<>();

    /**
     * Runs {@code step} on a virtual thread of its own; this request's callback is its business from then
     * on. Being on some virtual thread already is not enough: Jetty may run an HTTP/2 connection's
     * frame reading on one, and a step that waits there for the request's body waits for ever.
     */
    private static boolean onVirtualThread(Request request, Response response, Callback callback, Step step) throws Exception {
        if (Boolean.TRUE.equals(MAY_BLOCK.get())) {
            return step.run();
        }
        VIRTUAL.newThread(() -> {
            MAY_BLOCK.set(Boolean.TRUE);
            try {
                if (!step.run()) {
                    Response.writeError(request, response, callback, 404);
                }
            } catch (Throwable t) {
                callback.failed(t);
            }
        }).start();
        return true;
    }

    private boolean front(Request request, Response response, Callback callback) throws Exception {
        State s = state;
        if (s.hsts() != null) {
            response.getHeaders().put(HttpHeader.STRICT_TRANSPORT_SECURITY, s.hsts());
        }
        String path = Request.getPathInContext(request);
        InetAddress client = clients.of(request);
        if (!s.firewall().admits(client, path)) {
            rejections.firewall();
            EdgeErrors.write(request, response, callback, 403, "address_not_allowed",
                    "requests from this address are not allowed here", 0);
            return true;
        }
        OptionalLong wait = s.limiter().tryIp(client);
        if (wait.isPresent()) {
            rejections.rateIp();
            EdgeErrors.write(request, response, callback, 429, "rate_limit_exceeded",
                    "too many requests from this address (limit " + s.limiter().perIp().requestsPerSecond()
                            + "/s, burst " + s.limiter().perIp().burst() + ")", wait.getAsLong());
            return true;
        }
        // the platform's own health and admin paths, not an app's that happen to be named alike
        if (priority(path) && s.apps().match(Request.getServerName(request), path) == null) {
            return route(request, response, callback);
        }
        return queue.handle(request, response, callback);
    }

    /** Health, readiness, metrics and administration: never queued behind ordinary traffic. */
    static boolean priority(String path) {
        return path.equals("/healthz") || path.equals("/readyz") || path.equals("/metrics")
                || path.equals("/admin") || path.startsWith("/admin/");
    }

    private boolean route(Request request, Response response, Callback callback) throws Exception {
        State s = state;
        String path = Request.getPathInContext(request);
        HostedApp app = s.apps().match(Request.getServerName(request), path);
        if (app == null) {
            return onVirtualThread(request, response, callback, () -> api.handle(request, response, callback));
        }
        request.setAttribute(APP_ATTRIBUTE, app.name());
        // counted from here to the end of the exchange: a reload closes a replaced app only once it is idle
        Callback counted = app.enter(callback);
        if (app.config().requiresKey() || WebSocketTunnel.requested(request)) {
            // a key unknown to this node is looked up in the database; a WebSocket handshake waits on its upstream
            return onVirtualThread(request, response, counted, () -> toApp(s, app, request, response, counted));
        }
        try {
            return toApp(s, app, request, response, counted);
        } catch (Exception | Error e) {
            counted.failed(e);
            return true;
        }
    }

    private boolean toApp(State s, HostedApp app, Request request, Response response, Callback callback) throws Exception {
        InetAddress client = clients.of(request);
        if (client != null && !Firewall.passes(app.allow(), app.deny(), client)) {
            rejections.firewall();
            EdgeErrors.write(request, response, callback, 403, "address_not_allowed",
                    "requests from this address may not reach app '" + app.name() + "'", 0);
            return true;
        }
        if (app.config().requiresKey()) {
            String problem = null;
            String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            ApiKeyRecord key = null;
            if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                problem = "app '" + app.name() + "' needs 'Authorization: Bearer ck_...' (a key with the apps scope)";
            } else {
                key = keys.authenticate(auth.substring(7).trim()).orElse(null);
                if (key == null) {
                    problem = "invalid or revoked key";
                }
            }
            if (problem != null) {
                EdgeErrors.write(request, response, callback, 401, "invalid_api_key", problem, 0);
                return true;
            }
            if (!key.allows(Scope.APPS)) {
                EdgeErrors.write(request, response, callback, 403, "insufficient_scope",
                        "this key lacks the 'apps' scope needed for app '" + app.name() + "'", 0);
                return true;
            }
            request.setAttribute(KEY_ATTRIBUTE, key.id());
            OptionalLong wait = s.limiter().tryKey(key.id());
            if (wait.isPresent()) {
                rejections.rateKey();
                EdgeErrors.write(request, response, callback, 429, "rate_limit_exceeded",
                        "too many requests with this key", wait.getAsLong());
                return true;
            }
        }
        long length = request.getLength();
        if (length > app.config().maxBodyBytes()) {
            EdgeErrors.write(request, response, callback, 413, "body_too_large",
                    "app '" + app.name() + "' takes bodies up to " + app.config().maxBodyBytes() + " bytes", 0);
            return true;
        }
        return app.proxy().handle(request, response, callback);
    }

    /** The request attribute with the public id of the key that made it (for the access log). */
    public static final String KEY_ATTRIBUTE = "cervella.key";

    /** The app a request went to, or null. */
    public static String appOf(Request request) {
        return (String) request.getAttribute(APP_ATTRIBUTE);
    }

    /** The upstream that served a request, or null. */
    public static String upstreamOf(Request request) {
        var u = AppProxy.upstreamOf(request);
        return u == null ? null : u.label();
    }
}
