package io.cervella.ops.ui;

import io.cervella.core.http.ApiException;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Route;
import io.cervella.core.keys.ApiKeyRecord;
import io.cervella.core.keys.Authenticator;
import io.cervella.core.keys.Scope;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * The web dashboard at /ui/. The page and its scripts are open (they hold nothing; a page must load
 * to show the sign-in form); everything else needs a session: signing in with an API key that may
 * read metrics ({@code metrics} or {@code admin}) sets an HttpOnly, Secure, SameSite=Strict cookie
 * holding a random token — the key itself goes no further than the sign-in request and never into a
 * URL. A revoked key's sessions stop working at once.
 */
public final class DashboardEndpoints {
    static final String COOKIE = "cervella_session";
    private static final String WEBJAR = "META-INF/resources/webjars/uplot/";
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /** The files under /ui/static/ and where they come from: ours, and uPlot's from its webjar. */
    private final Map<String, StaticFile> files;
    private final Authenticator keys;
    private final Function<String, Optional<ApiKeyRecord>> keyById;
    private final DashboardSessions sessions;
    private final DashboardOverview overview;

    private record StaticFile(String resource, String contentType) {}

    public DashboardEndpoints(Authenticator keys, Function<String, Optional<ApiKeyRecord>> keyById, DashboardSessions sessions,
                              DashboardOverview overview) {
        this.keys = keys;
        this.keyById = keyById;
        this.sessions = sessions;
        this.overview = overview;
        String uplot = WEBJAR + uplotVersion() + "/dist/";
        this.files = Map.of(
                "app.js", new StaticFile("io/cervella/ops/ui/app.js", "text/javascript; charset=utf-8"),
                "app.css", new StaticFile("io/cervella/ops/ui/app.css", "text/css; charset=utf-8"),
                "uPlot.iife.min.js", new StaticFile(uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
                "uPlot.min.css", new StaticFile(uplot + "uPlot.min.css", "text/css; charset=utf-8"));
    }

    public List<Route> routes() {
        return List.of(
                new Route("GET", "/ui", null, "/ui", ex -> {
                    ex.setHeader("Location", "/ui/");
                    ex.send(302, "text/plain; charset=utf-8", new byte[0]);
                }),
                new Route("GET", "/ui/", null, "/ui/", ex -> sendResource(ex, "io/cervella/ops/ui/index.html", "text/html; charset=utf-8")),
                new Route("GET", "/ui/static/{file}", null, "/ui/static/{file}", this::staticFile),
                new Route("POST", "/ui/api/session", null, "/ui/api/session", this::signIn),
                new Route("DELETE", "/ui/api/session", null, "/ui/api/session", this::signOut),
                new Route("GET", "/ui/api/overview", null, "/ui/api/overview", this::overview));
    }

    private void staticFile(Exchange ex) throws IOException {
        StaticFile f = files.get(ex.pathParam("file"));
        if (f == null) {
            throw ApiException.notFound("not_found", "no such file");
        }
        ex.setHeader("Cache-Control", "no-cache");
        sendResource(ex, f.resource(), f.contentType());
    }

    private void signIn(Exchange ex) throws IOException {
        if (!ex.header("Content-Type").orElse("").startsWith("application/json")) {
            // a form posted from another site cannot send this type without the browser asking first
            throw ApiException.badRequest("invalid_request", "send {\"key\": \"...\"} as application/json");
        }
        JsonNode body = ex.jsonBody();
        String presented = body.path("key").asString("");
        Optional<ApiKeyRecord> key = presented.isBlank() ? Optional.empty() : keys.authenticate(presented.trim());
        if (key.isEmpty()) {
            throw ApiException.unauthorized("that key is not valid (unknown, revoked or mistyped)");
        }
        if (!key.get().allows(Scope.METRICS)) {
            throw ApiException.forbidden("the dashboard needs a key with the metrics or admin scope");
        }
        String token = sessions.open(key.get().id());
        ex.setHeader("Set-Cookie", COOKIE + "=" + token + "; Path=/ui; Max-Age=" + sessions.lifetime().toSeconds()
                + "; HttpOnly; Secure; SameSite=Strict");
        ex.setHeader("Cache-Control", "no-store");
        ex.sendJson(200, Map.of("name", key.get().name()));
    }

    private void signOut(Exchange ex) throws IOException {
        sessions.close(cookie(ex).orElse(null));
        ex.setHeader("Set-Cookie", COOKIE + "=; Path=/ui; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
        ex.send(204, "text/plain; charset=utf-8", new byte[0]);
    }

    private void overview(Exchange ex) throws IOException {
        ApiKeyRecord key = signedIn(ex);
        DashboardOverview.Range range;
        try {
            range = DashboardOverview.Range.parse(ex.query("range").orElse("24h"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_request", e.getMessage());
        }
        ex.setHeader("Cache-Control", "no-store");
        ex.sendJson(200, overview.build(range, key.name()));
    }

    /** The key behind the request's session cookie, still valid and allowed to read metrics; else 401. */
    private ApiKeyRecord signedIn(Exchange ex) {
        return cookie(ex).flatMap(sessions::keyOf).flatMap(keyById)
                .filter(k -> !k.revoked() && k.allows(Scope.METRICS))
                .orElseThrow(() -> ApiException.unauthorized("sign in first"));
    }

    static Optional<String> cookie(Exchange ex) {
        String header = ex.header("Cookie").orElse("");
        for (String part : header.split(";")) {
            String p = part.trim();
            if (p.startsWith(COOKIE + "=")) {
                return Optional.of(p.substring(COOKIE.length() + 1));
            }
        }
        return Optional.empty();
    }

    private static void sendResource(Exchange ex, String resource, String contentType) throws IOException {
        try (InputStream in = DashboardEndpoints.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw ApiException.notFound("not_found", "no such file");
            }
            ex.setHeader("Content-Security-Policy", CSP);
            ex.setHeader("X-Content-Type-Options", "nosniff");
            ex.setHeader("Referrer-Policy", "no-referrer");
            ex.send(200, contentType, in.readAllBytes());
        }
    }

    /** The uPlot webjar's version, from its Maven metadata: the pom is the one place it is written. */
    private static String uplotVersion() {
        try (InputStream in = DashboardEndpoints.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the uPlot webjar is not on the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new IllegalStateException("the uPlot webjar's pom.properties cannot be read", e);
        }
    }
}
