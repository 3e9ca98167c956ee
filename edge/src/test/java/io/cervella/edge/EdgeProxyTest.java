package io.cervella.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edge in front of real HTTP servers on loopback: balancing, failover, headers, streaming, reload. */
class EdgeProxyTest {
    @TempDir Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private TestUpstream upstream(String name) throws Exception {
        TestUpstream u = new TestUpstream(name);
        open.add(u);
        return u;
    }

    /** The edge with {@code yaml}; the per-address rate limit off unless the yaml sets one (these tests load it on purpose). */
    private EdgeUnderTest edge(String yaml) throws Exception {
        EdgeUnderTest e = new EdgeUnderTest(yaml.contains("rate_limits") ? yaml
                : "rate_limits: {per_ip: {requests_per_second: 0}}\n" + yaml, dir);
        open.add(e);
        return e;
    }

    /** Clients asking for {@code url} in a loop until stopped, keeping every answer that was not a 200. */
    private final class Load {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final AtomicInteger served = new AtomicInteger();
        private final List<Thread> threads = new ArrayList<>();

        Load(int clients, String url) {
            for (int t = 0; t < clients; t++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    while (running.get()) {
                        try {
                            HttpResponse<String> r = get(url);
                            if (r.statusCode() != 200) {
                                failures.add(r.statusCode() + " " + r.body());
                            } else {
                                served.incrementAndGet();
                            }
                        } catch (Exception ex) {
                            failures.add(ex.toString());
                        }
                    }
                }));
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
        }

        void assertNoFailures() {
            assertEquals(0, failures.size(), "no request failed (" + served.get() + " served); first failures: "
                    + failures.stream().limit(3).toList());
        }
    }

    /** Waits (5 s at most) until nothing is in flight to {@code u}: the exchanges that failed have been counted. */
    private static void awaitIdle(io.cervella.edge.balance.Upstream u) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (u.inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static String app(String name, String policy, String extra, TestUpstream... ups) {
        StringBuilder y = new StringBuilder("  - name: " + name + "\n    auth: none\n    policy: " + policy + "\n"
                + "    health_check: {path: /health, interval_seconds: 0.2, timeout_seconds: 1, healthy_threshold: 1, unhealthy_threshold: 1}\n"
                + "    upstreams:\n");
        for (TestUpstream u : ups) {
            y.append("      - url: ").append(u.url()).append('\n');
        }
        return y + extra;
    }

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void roundRobinSpreadsRequestsEvenly() throws Exception {
        TestUpstream a = upstream("a"), b = upstream("b"), c = upstream("c");
        EdgeUnderTest e = edge("apps:\n" + app("shop", "round_robin", "", a, b, c));
        for (int i = 0; i < 90; i++) {
            HttpResponse<String> r = get(e.url("/apps/shop/item"));
            assertEquals(200, r.statusCode());
        }
        assertEquals(30, a.requests.get());
        assertEquals(30, b.requests.get());
        assertEquals(30, c.requests.get());
        assertEquals("/item", a.lastPath, "the prefix is taken off");
        assertEquals("api", get(e.url("/v1/models")).body(), "paths of no app go to the platform's API");
    }

    @Test
    void weightedSpreadsByWeight() throws Exception {
        TestUpstream a = upstream("a"), b = upstream("b");
        EdgeUnderTest e = edge("apps:\n  - name: w\n    auth: none\n    policy: weighted\n    health_check: {path: /health}\n    upstreams:\n"
                + "      - {url: " + a.url() + ", weight: 3}\n      - {url: " + b.url() + ", weight: 1}\n");
        for (int i = 0; i < 80; i++) {
            assertEquals(200, get(e.url("/apps/w/")).statusCode());
        }
        assertEquals(60, a.requests.get());
        assertEquals(20, b.requests.get());
    }

    @Test
    void leastRequestsSendsLessToTheSlowUpstream() throws Exception {
        TestUpstream fast = upstream("fast"), slow = upstream("slow");
        slow.delayMillis = 300;
        EdgeUnderTest e = edge("apps:\n" + app("lr", "least_requests", "", fast, slow));
        List<Thread> threads = new ArrayList<>();
        AtomicInteger failed = new AtomicInteger();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 10; i++) {
                    try {
                        if (get(e.url("/apps/lr/")).statusCode() != 200) {
                            failed.incrementAndGet();
                        }
                    } catch (Exception ex) {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(0, failed.get());
        assertTrue(fast.requests.get() > 3 * slow.requests.get(),
                "fast " + fast.requests.get() + " vs slow " + slow.requests.get());
    }

    @Test
    void aKilledUpstreamCostsNoIdempotentRequestAndComesBackWhenRestarted() throws Exception {
        TestUpstream a = upstream("a"), b = upstream("b");
        EdgeUnderTest e = edge("apps:\n" + app("ha", "round_robin", "", a, b));
        Load load = new Load(4, e.url("/apps/ha/x"));
        Thread.sleep(300);
        b.stop(); // killed mid-test: requests on their way to it are retried on a
        var bUpstream = e.edge.apps().getFirst().upstreams().get(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (bUpstream.healthy() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(bUpstream.healthy(), "the health check noticed");
        int before = a.requests.get();
        Thread.sleep(500);
        assertTrue(a.requests.get() > before, "a serves everything meanwhile");
        b.restart();
        deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!bUpstream.healthy() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(bUpstream.healthy(), "back when restarted");
        int bBefore = b.requests.get();
        Thread.sleep(500);
        load.stop();
        assertTrue(b.requests.get() > bBefore, "b gets traffic again");
        load.assertNoFailures();
    }

    @Test
    void forwardedHeadersAreSetAndHopByHopHeadersDropped() throws Exception {
        TestUpstream a = upstream("a");
        EdgeUnderTest e = edge("apps:\n" + app("h", "round_robin", "", a));
        String response = raw(e.port(), "GET /apps/h/p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:" + e.port() + "\r\n"
                + "X-Forwarded-For: 6.6.6.6\r\n" // from an untrusted peer: replaced, not believed
                + "X-Custom-Hop: secret-hop\r\nConnection: close, X-Custom-Hop\r\nTE: trailers\r\nX-Kept: yes\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertEquals("/p?q=1", a.lastPath);
        assertEquals("127.0.0.1", a.lastHeaders.get("x-forwarded-for"));
        assertEquals("http", a.lastHeaders.get("x-forwarded-proto"));
        assertEquals("127.0.0.1:" + e.port(), a.lastHeaders.get("x-forwarded-host"));
        assertEquals("yes", a.lastHeaders.get("x-kept"));
        assertNull(a.lastHeaders.get("x-custom-hop"), "a header named by Connection is hop-by-hop");
        assertTrue(a.lastHeaders.get("host").startsWith("127.0.0.1:" + a.port()), "the upstream's own host: " + a.lastHeaders.get("host"));
        assertNull(a.lastHeaders.get("te"));
        String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
        assertTrue(head.contains("x-upstream: a"), head);
        assertFalse(head.contains("keep-alive"), "hop-by-hop response header dropped: " + head);
    }

    @Test
    void forwardedForIsExtendedOnlyBehindATrustedProxy() throws Exception {
        TestUpstream a = upstream("a");
        EdgeUnderTest e = edge("trusted_proxies: [127.0.0.0/8]\nrate_limits: {per_ip: {requests_per_second: 1, burst: 1}}\napps:\n"
                + app("t", "round_robin", "", a));
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(e.url("/apps/t/")));
        assertEquals(200, client.send(req.copy().header("X-Forwarded-For", "203.0.113.7").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals("203.0.113.7, 127.0.0.1", a.lastHeaders.get("x-forwarded-for"));
        // the rate limit counts the client behind the proxy, not the proxy
        assertEquals(429, client.send(req.copy().header("X-Forwarded-For", "203.0.113.7").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(200, client.send(req.copy().header("X-Forwarded-For", "203.0.113.8").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void serverSentEventsArriveAsTheyAreSent() throws Exception {
        TestUpstream a = upstream("a");
        EdgeUnderTest e = edge("apps:\n" + app("s", "round_robin", "", a));
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(e.url("/apps/s/events"))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long start = System.nanoTime();
        try (InputStream in = r.body()) {
            byte[] first = new byte[15];
            int n = in.readNBytes(first, 0, first.length);
            long firstAt = System.nanoTime() - start;
            assertEquals("data: event 1\n\n", new String(first, 0, n, StandardCharsets.UTF_8));
            String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            long allAt = System.nanoTime() - start;
            assertTrue(rest.contains("event 3"));
            assertTrue(allAt - firstAt > Duration.ofMillis(400).toNanos(),
                    "the first event came before the last was sent (streamed, not buffered)");
        }
    }

    @Test
    void aPostBodyGoesThroughAndIsNotRetried() throws Exception {
        TestUpstream a = upstream("a");
        EdgeUnderTest e = edge("apps:\n" + app("p", "round_robin", "", a));
        byte[] body = new byte[300_000];
        new java.util.Random(1).nextBytes(body);
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(e.url("/apps/p/echo")))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertTrue(java.util.Arrays.equals(body, r.body()));
        a.stop();
        TestUpstream down = a;
        HttpResponse<String> failed = client.send(HttpRequest.newBuilder(URI.create(e.url("/apps/p/echo")))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(502, failed.statusCode(), failed.body());
        assertTrue(failed.body().contains("\"error\""), failed.body());
        assertNotNull(down);
    }

    @Test
    void clientsLeavingMidDownloadDoNotOpenTheUpstreamsBreaker() throws Exception {
        TestUpstream a = upstream("a");
        EdgeUnderTest e = edge("apps:\n" + app("dl", "round_robin", "    circuit_breaker: {failures: 1, open_seconds: 60}\n", a));
        for (int i = 0; i < 5; i++) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", e.port())) {
                s.getOutputStream().write(("GET /apps/dl/big HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getInputStream().readNBytes(200_000); // then hang up in the middle
            }
        }
        var upstream = e.edge.apps().getFirst().upstreams().getFirst();
        awaitIdle(upstream);
        assertEquals(0, upstream.inFlight());
        assertEquals(io.cervella.edge.balance.CircuitBreaker.State.CLOSED, upstream.breaker().state(),
                "a client hanging up says nothing against the upstream");
        assertEquals(200, get(e.url("/apps/dl/x")).statusCode());
    }

    @Test
    void clientsAbandoningUploadsDoNotOpenTheUpstreamsBreaker() throws Exception {
        TestUpstream a = upstream("a");
        EdgeUnderTest e = edge("apps:\n" + app("up", "round_robin", "    circuit_breaker: {failures: 1, open_seconds: 60}\n", a));
        for (int i = 0; i < 3; i++) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", e.port())) {
                s.getOutputStream().write(("POST /apps/up/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(new byte[20_000]);
                s.getOutputStream().flush();
                Thread.sleep(100);
            } // gone, 980,000 bytes short
        }
        var upstream = e.edge.apps().getFirst().upstreams().getFirst();
        awaitIdle(upstream);
        assertEquals(io.cervella.edge.balance.CircuitBreaker.State.CLOSED, upstream.breaker().state(),
                "a client abandoning its upload says nothing against the upstream");
        assertEquals(200, get(e.url("/apps/up/x")).statusCode());
    }

    @Test
    void aBodyOverTheAppsLimitIs413WithOrWithoutALength() throws Exception {
        TestUpstream a = upstream("a");
        EdgeUnderTest e = edge("apps:\n" + app("lim", "round_robin", "    max_body_bytes: 1000\n", a));
        String declared = raw(e.port(), "POST /apps/lim/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n"
                + "x".repeat(5000));
        assertTrue(declared.startsWith("HTTP/1.1 413"), declared);
        StringBuilder chunked = new StringBuilder("POST /apps/lim/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        for (int i = 0; i < 5; i++) {
            chunked.append("3e8\r\n").append("y".repeat(1000)).append("\r\n");
        }
        chunked.append("0\r\n\r\n");
        String streamed = raw(e.port(), chunked.toString());
        assertTrue(streamed.startsWith("HTTP/1.1 413"), streamed);
        assertTrue(streamed.contains("body_too_large"), streamed);
        String small = raw(e.port(), "POST /apps/lim/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n");
        assertTrue(small.startsWith("HTTP/1.1 200") && small.endsWith("hello"), small);
    }

    @Test
    void theUpstreamGetsTheNormalizedPathRoutingSaw() throws Exception {
        TestUpstream a = upstream("a");
        EdgeUnderTest e = edge("apps:\n  - {name: h, auth: none, health_check: {path: /health}, upstreams: [{url: '" + a.url() + "/base'}]}\n");
        String r = raw(e.port(), "GET /apps/h/../h/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        if (r.startsWith("HTTP/1.1 200")) {
            assertEquals("/base/x", a.lastPath, "a dot segment never reaches the upstream as written");
        } else {
            assertTrue(r.startsWith("HTTP/1.1 400"), r); // or the listener refuses it outright
        }
        assertTrue(raw(e.port(), "GET /apps/%68/y HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 200"));
        assertEquals("/base/y", a.lastPath, "the prefix is cut from the decoded, normalized path");
    }

    @Test
    void forwardingHeadersFromClientsAreDroppedAndThePrefixIsTold() throws Exception {
        TestUpstream a = upstream("a");
        EdgeUnderTest e = edge("apps:\n" + app("f", "round_robin", "", a));
        raw(e.port(), "GET /apps/f/p HTTP/1.1\r\nHost: x\r\nX-Forwarded-Port: 1\r\nX-Forwarded-Prefix: //evil.example\r\n"
                + "X-Original-URL: /admin\r\nConnection: close\r\n\r\n");
        assertNull(a.lastHeaders.get("x-forwarded-port"));
        assertNull(a.lastHeaders.get("x-original-url"));
        assertEquals("/apps/f", a.lastHeaders.get("x-forwarded-prefix"));
    }

    @Test
    void everyForwardedForLineOfATrustedProxyIsKept() throws Exception {
        TestUpstream a = upstream("a");
        EdgeUnderTest e = edge("trusted_proxies: [127.0.0.0/8]\napps:\n" + app("t", "round_robin", "", a));
        raw(e.port(), "GET /apps/t/ HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.0.0.99\r\nX-Forwarded-For: 203.0.113.9\r\n"
                + "Connection: close\r\n\r\n");
        assertEquals("10.0.0.99, 203.0.113.9, 127.0.0.1", a.lastHeaders.get("x-forwarded-for"));
    }

    @Test
    void noHealthyUpstreamIs503WithRetryAfter() throws Exception {
        TestUpstream a = upstream("a");
        EdgeUnderTest e = edge("apps:\n" + app("d", "round_robin", "    circuit_breaker: {failures: 1, open_seconds: 60}\n", a));
        a.stop();
        assertEquals(502, get(e.url("/apps/d/")).statusCode()); // the breaker opens on this failure
        HttpResponse<String> r = get(e.url("/apps/d/"));
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        assertTrue(r.body().contains("no_healthy_upstream"), r.body());
    }

    @Test
    void appsWithAuthKeyNeedAKeyWithTheAppsScopeAndNeverSeeIt() throws Exception {
        TestUpstream a = upstream("a");
        EdgeUnderTest e = edge("apps:\n  - name: k\n    health_check: {path: /health}\n    upstreams: [{url: " + a.url() + "}]\n");
        assertEquals(401, get(e.url("/apps/k/")).statusCode());
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(e.url("/apps/k/")));
        assertEquals(401, client.send(req.copy().header("Authorization", "Bearer ck_wrong").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(403, client.send(req.copy().header("Authorization", "Bearer ck_chat").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(200, client.send(req.copy().header("Authorization", "Bearer ck_apps").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertNull(a.lastHeaders.get("authorization"), "the platform's key is not passed to the app");
        assertEquals(1, a.requests.get());
    }

    @Test
    void virtualHostsRouteByHostName() throws Exception {
        TestUpstream shop = upstream("shop"), blog = upstream("blog");
        EdgeUnderTest e = edge("apps:\n  - {name: shop, auth: none, hosts: [shop.test], upstreams: [{url: " + shop.url() + "}]}\n"
                + "  - {name: blog, auth: none, hosts: ['*.blog.test'], upstreams: [{url: " + blog.url() + "}]}\n");
        // the JDK client will not send a Host header of our choosing: a raw request does
        assertEquals("shop", rawGet(e.port(), "shop.test", "/cart"));
        assertEquals("blog", rawGet(e.port(), "en.blog.test", "/"));
        assertEquals("api", rawGet(e.port(), "other.test", "/"));
        assertEquals("/cart", shop.lastPath, "a host app's prefix is /: the path is kept");
    }

    static String rawGet(int port, String host, String path) throws Exception {
        String all = raw(port, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
        return all.substring(all.indexOf("\r\n\r\n") + 4);
    }

    /** One request written as it is on a fresh connection (which it must close); the whole response. */
    static String raw(int port, String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aReloadUnderLoadDropsNothing() throws Exception {
        TestUpstream a = upstream("a"), b = upstream("b");
        String before = "apps:\n" + app("r", "round_robin", "", a);
        EdgeUnderTest e = edge(before);
        Load load = new Load(6, e.url("/apps/r/x"));
        a.delayMillis = 50; // requests are in flight at every reload
        for (int i = 0; i < 10; i++) {
            Thread.sleep(100);
            e.reload(i % 2 == 0 ? "apps:\n" + app("r", "round_robin", "", a, b) : before);
        }
        Thread.sleep(200);
        load.stop();
        load.assertNoFailures();
        assertTrue(b.requests.get() > 0, "the reloaded upstream list took effect");
        assertEquals(List.of("r"), e.reload("apps:\n" + app("r", "round_robin", "", b)).apps());
    }

    @Test
    void aReloadKeepsUnchangedAppsAndRebindsTheGaugesOfChangedOnes() throws Exception {
        TestUpstream a = upstream("a"), b = upstream("b");
        String one = "apps:\n" + app("same", "round_robin", "", a) + app("changing", "round_robin", "", a);
        EdgeUnderTest e = edge(one);
        var same = e.edge.apps().stream().filter(x -> x.name().equals("same")).findFirst().orElseThrow();
        e.reload("apps:\n" + app("same", "round_robin", "", a) + app("changing", "round_robin", "", a, b));
        assertTrue(e.edge.apps().contains(same), "an app whose config did not change goes on as it was");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (e.registry.find("cervella.edge.upstream.healthy").tags("app", "changing", "upstream", b.url()).gauge() == null
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(300); // the replaced app has retired (nothing was in flight)
        var gaugeA = e.registry.find("cervella.edge.upstream.healthy").tags("app", "changing", "upstream", a.url()).gauge();
        assertNotNull(gaugeA, "the old app's retirement left the new app's gauge for the same upstream");
        assertEquals(1.0, gaugeA.value());
        assertNotNull(e.registry.find("cervella.edge.upstream.healthy").tags("app", "changing", "upstream", b.url()).gauge());
        e.reload("apps:\n" + app("same", "round_robin", "", a));
        Thread.sleep(300);
        assertNull(e.registry.find("cervella.edge.upstream.healthy").tags("app", "changing").gauge(), "a removed app's gauges go");
        assertEquals(200, get(e.url("/apps/same/")).statusCode());
        assertEquals("api", get(e.url("/apps/changing/")).body(), "a removed app's path goes to the platform's API");
    }

    @Test
    void accessLogIsJsonLinesWithoutSecrets() throws Exception {
        TestUpstream a = upstream("a");
        EdgeUnderTest e = edge("apps:\n  - name: k\n    upstreams: [{url: " + a.url() + "}]\n");
        client.send(HttpRequest.newBuilder(URI.create(e.url("/apps/k/page?token=hunter2")))
                .header("Authorization", "Bearer ck_apps").header("Cookie", "session=cookie-secret").build(),
                HttpResponse.BodyHandlers.ofString());
        Path log = dir.resolve("logs/access.log");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while ((!Files.exists(log) || Files.readString(log).isBlank()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        String text = Files.readString(log);
        String line = text.lines().filter(l -> l.contains("/apps/k/page")).findFirst().orElseThrow(() -> new AssertionError(text));
        var json = new tools.jackson.databind.ObjectMapper().readTree(line);
        assertEquals("GET", json.path("method").asString());
        assertEquals(200, json.path("status").asInt());
        assertEquals("k", json.path("app").asString());
        assertEquals(a.url().replace("http://", "http://"), json.path("upstream").asString());
        assertEquals("apps1", json.path("key").asString());
        assertEquals("127.0.0.1", json.path("client").asString());
        assertTrue(json.path("time").asString().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), line);
        java.time.Instant at = java.time.Instant.parse(json.path("time").asString());
        assertTrue(Duration.between(at, java.time.Instant.now()).abs().toSeconds() < 60, line);
        assertTrue(json.path("duration_ms").isNumber() && json.path("duration_ms").asDouble() >= 0, line);
        assertTrue(line.matches(".*\"duration_ms\":\\d+\\.\\d{3},.*"), line);
        assertFalse(text.contains("hunter2") || text.contains("ck_apps") || text.contains("cookie-secret"), text);
    }

    @Test
    void metricsCountRequestsAndShowUpstreamState() throws Exception {
        TestUpstream a = upstream("a");
        EdgeUnderTest e = edge("apps:\n" + app("m", "round_robin", "", a));
        for (int i = 0; i < 3; i++) {
            get(e.url("/apps/m/"));
        }
        var timer = e.registry.find("cervella.edge.requests").tags("app", "m", "upstream", a.url(), "status", "200").timer();
        assertNotNull(timer);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (timer.count() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(10); // recorded when the exchange completes, which may be just after the client has its answer
        }
        assertEquals(3, timer.count());
        assertEquals(1.0, e.registry.find("cervella.edge.upstream.healthy").tags("app", "m").gauge().value());
        assertEquals(0.0, e.registry.find("cervella.edge.upstream.circuit").tags("app", "m").gauge().value());
    }
}
