package io.cervella.app.server;

import io.cervella.core.http.ApiException;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Route;
import io.cervella.core.keys.ApiKeyRecord;
import io.cervella.core.keys.Authenticator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the route of a request, checks its key and scope, runs the endpoint on the request's
 * virtual thread, and turns errors into the OpenAI error shape. Also times every request by route.
 */
public final class ApiDispatcher extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(ApiDispatcher.class);

    private final List<Route> routes;
    private final Authenticator keys;
    private final MeterRegistry registry;
    private final long maxBodyBytes;
    private final Map<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.function.Function<String, java.util.OptionalLong> keyLimit;

    public ApiDispatcher(List<Route> routes, Authenticator keys, MeterRegistry registry, long maxBodyBytes) {
        this(routes, keys, registry, maxBodyBytes, id -> java.util.OptionalLong.empty());
    }

    /** {@code keyLimit}: the edge's per-key rate limit, by key id: empty to go on, else seconds to wait. */
    public ApiDispatcher(List<Route> routes, Authenticator keys, MeterRegistry registry, long maxBodyBytes,
                         java.util.function.Function<String, java.util.OptionalLong> keyLimit) {
        // Endpoints block (database, upstream calls): Jetty must give them a thread of their own,
        // which with the virtual-thread executor is a virtual thread.
        super(InvocationType.BLOCKING);
        this.routes = List.copyOf(routes);
        this.keys = keys;
        this.registry = registry;
        this.maxBodyBytes = maxBodyBytes;
        this.keyLimit = keyLimit;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String path = Request.getPathInContext(request);
        String routeName = "unmatched";
        Exchange ex = new Exchange(request, response, null, Map.of(), maxBodyBytes);
        try {
            Route route = null;
            Map<String, String> params = null;
            boolean pathKnown = false;
            for (Route r : routes) {
                Map<String, String> p = r.match(path);
                if (p != null) {
                    pathKnown = true;
                    if (r.method().equals(request.getMethod())) {
                        route = r;
                        params = p;
                        break;
                    }
                }
            }
            if (route == null) {
                throw pathKnown
                        ? new ApiException(405, "invalid_request_error", "method_not_allowed",
                                request.getMethod() + " is not allowed on " + path)
                        : ApiException.notFound("not_found", "no such route: " + path);
            }
            routeName = route.name();
            ApiKeyRecord key = null;
            if (route.scope() != null) {
                key = authenticate(request);
                request.setAttribute(io.cervella.edge.proxy.EdgeHandler.KEY_ATTRIBUTE, key.id());
                java.util.OptionalLong wait = keyLimit.apply(key.id());
                if (wait.isPresent()) {
                    throw ApiException.tooManyRequests("rate_limit_exceeded", "too many requests with this key", wait.getAsLong());
                }
                if (!key.allows(route.scope())) {
                    throw ApiException.forbidden("this key lacks the '" + route.scope().label() + "' scope needed for "
                            + route.method() + " " + route.pattern());
                }
            }
            ex = new Exchange(request, response, key, params, maxBodyBytes);
            route.endpoint().handle(ex);
            callback.succeeded();
        } catch (ApiException e) {
            fail(ex, response, callback, e);
        } catch (EofException e) {
            callback.failed(e); // the client went away
        } catch (Throwable e) {
            LOG.error("{} {} failed", request.getMethod(), path, e);
            fail(ex, response, callback, new ApiException(500, "server_error", "internal_error",
                    "the server failed to handle the request; the log has the details"));
        } finally {
            timer(routeName, metricMethod(request.getMethod()), response.getStatus())
                    .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        return true;
    }

    /** Clients choose method names: only the standard ones become label values, or the metric could grow without end. */
    private static String metricMethod(String method) {
        return switch (method) {
            case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" -> method;
            default -> "OTHER";
        };
    }

    private Timer timer(String route, String method, int status) {
        return timers.computeIfAbsent(route + ' ' + method + ' ' + status, k -> Timer.builder("cervella.http.server.requests")
                .description("HTTP requests by route, method and status")
                .tags("route", route, "method", method, "status", Integer.toString(status))
                .register(registry));
    }

    private ApiKeyRecord authenticate(Request request) {
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (auth == null || auth.isBlank()) {
            throw ApiException.unauthorized("missing API key: send 'Authorization: Bearer ck_...'");
        }
        if (!auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("the Authorization header must be 'Bearer <key>'");
        }
        return keys.authenticate(auth.substring(7).trim())
                .orElseThrow(() -> ApiException.unauthorized("invalid or revoked key"));
    }

    private static void fail(Exchange ex, Response response, Callback callback, ApiException e) {
        if (response.isCommitted()) {
            // A stream is under way: its endpoint already said what it could; end it.
            callback.failed(e);
            return;
        }
        try {
            ex.discardBody();
            ex.sendError(e);
            callback.succeeded();
        } catch (Exception writeFailed) {
            callback.failed(writeFailed);
        }
    }
}
