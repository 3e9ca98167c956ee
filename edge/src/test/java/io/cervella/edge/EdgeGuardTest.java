package io.cervella.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The protections in front of everything: firewall (IPv4 and IPv6), rate limits, slow clients, priority. */
class EdgeGuardTest {
    @TempDir Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private EdgeUnderTest edge(String yaml) throws Exception {
        EdgeUnderTest e = new EdgeUnderTest(yaml, dir);
        open.add(e);
        return e;
    }

    private int status(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String v4(EdgeUnderTest e, String path) {
        return "http://127.0.0.1:" + e.port() + path;
    }

    private static String v6(EdgeUnderTest e, String path) {
        return "http://[::1]:" + e.port() + path;
    }

    @Test
    void denyListsBlockByFamilyAndRange() throws Exception {
        EdgeUnderTest e = edge("firewall: {deny: [127.0.0.0/8]}\n");
        assertEquals(403, status(v4(e, "/v1/models")));
        assertEquals(200, status(v6(e, "/v1/models")));
        e.close();
        EdgeUnderTest six = edge("firewall: {deny: ['::1/128']}\n");
        assertEquals(200, status(v4(six, "/v1/models")));
        assertEquals(403, status(v6(six, "/v1/models")));
    }

    @Test
    void allowListsAndRouteGroupsLetOnlyTheirRangesIn() throws Exception {
        EdgeUnderTest e = edge("firewall:\n  allow: [127.0.0.1/32, '::1/128']\n"
                + "  routes:\n    - {paths: [/admin], allow: ['::1/128']}\n");
        assertEquals(200, status(v4(e, "/v1/models")));
        assertEquals(403, status(v4(e, "/admin/keys")), "admin only from the IPv6 loopback");
        assertEquals(403, status(v4(e, "/admin")));
        assertEquals(200, status(v4(e, "/administrator")), "a route group covers its path and below, not names that start alike");
        assertEquals(200, status(v6(e, "/admin/keys")));
        EdgeUnderTest narrow = edge("firewall: {allow: [10.0.0.0/8]}\n");
        assertEquals(403, status(v4(narrow, "/healthz")), "an allow list keeps every other address out");
        assertEquals(403, status(v6(narrow, "/healthz")));
    }

    @Test
    void anAppsOwnFirewallAppliesToItAlone() throws Exception {
        TestUpstream a = new TestUpstream("a");
        open.add(a);
        EdgeUnderTest e = edge("apps:\n  - {name: inside, auth: none, upstreams: [{url: " + a.url() + "}], firewall: {allow: ['::1/128']}}\n");
        assertEquals(403, status(v4(e, "/apps/inside/")));
        assertEquals(200, status(v6(e, "/apps/inside/")));
        assertEquals(200, status(v4(e, "/v1/models")));
    }

    @Test
    void theRateLimitAnswers429WithRetryAfterAtTheConfiguredRate() throws Exception {
        EdgeUnderTest slowRefill = edge("rate_limits: {per_ip: {requests_per_second: 0.5, burst: 5}}\n");
        EdgeUnderTest e = slowRefill;
        int ok = 0;
        HttpResponse<String> limited = null;
        for (int i = 0; i < 5; i++) {
            assertEquals(200, status(v4(e, "/v1/models")), "the burst is allowed");
        }
        limited = client.send(HttpRequest.newBuilder(URI.create(v4(e, "/v1/models"))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(429, limited.statusCode());
        assertTrue(Integer.parseInt(limited.headers().firstValue("Retry-After").orElseThrow()) >= 1);
        assertTrue(limited.body().contains("rate_limit_exceeded"), limited.body());
        assertEquals(200, status(v6(e, "/v1/models")), "another address has its own bucket");
        // for two seconds as fast as we can: about 10 a second get through
        e = edge("rate_limits: {per_ip: {requests_per_second: 10, burst: 5}}\n");
        long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        int tried = 0;
        ok = 0;
        while (System.nanoTime() < end) {
            tried++;
            if (status(v4(e, "/v1/models")) == 200) {
                ok++;
            }
        }
        assertTrue(tried > 60, "the client made enough requests to be limited: " + tried);
        assertTrue(ok >= 20 && ok <= 5 + 20 + 2, "about 5 saved up plus 10/s for 2 s, got " + ok + " of " + tried);
    }

    @Test
    void thePerKeyLimitCountsRequestsOfOneKey() throws Exception {
        TestUpstream a = new TestUpstream("a");
        open.add(a);
        EdgeUnderTest e = edge("rate_limits: {per_key: {requests_per_second: 1, burst: 2}}\n"
                + "apps:\n  - {name: k, health_check: {path: /health}, upstreams: [{url: " + a.url() + "}]}\n");
        HttpRequest req = HttpRequest.newBuilder(URI.create(v4(e, "/apps/k/"))).header("Authorization", "Bearer ck_apps").build();
        assertEquals(200, client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(200, client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode());
        var third = client.send(req, HttpResponse.BodyHandlers.discarding());
        assertEquals(429, third.statusCode());
        assertTrue(third.headers().firstValue("Retry-After").isPresent());
        assertEquals(2, a.requests.get(), "a limited request never reaches the app");
    }

    @Test
    void fiveHundredSlowClientsDoNotStopANormalOne() throws Exception {
        EdgeUnderTest e = edge("limits: {header_timeout_seconds: 3, max_connections_per_ip: 100}\n");
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 500; i++) {
                Socket s = new Socket();
                s.connect(new java.net.InetSocketAddress("127.0.0.1", e.port()), 5000);
                s.setSoTimeout(15_000);
                s.getOutputStream().write("GET /v1/models HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII)); // never finished
                slow.add(s);
            }
            // a normal client, from another loopback address
            long start = System.nanoTime();
            String answer = rawFrom("127.0.0.2", e.port(), "GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            long took = System.nanoTime() - start;
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(took < Duration.ofSeconds(2).toNanos(), "served in " + took / 1_000_000 + " ms");
            // those over the per-address limit were closed at once, the rest by the header timeout
            int closed = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            for (Socket s : slow) {
                s.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                try (InputStream in = s.getInputStream()) {
                    byte[] drain = in.readAllBytes(); // ends when the server closes (408 or nothing)
                    closed++;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // counted below
                } catch (java.io.IOException reset) {
                    closed++;
                }
            }
            assertEquals(500, closed, "every slow client was closed: first the excess, then by the header timeout");
            double refused = e.registry.find("cervella.edge.connections.refused").functionCounter().count();
            double timedOut = e.registry.find("cervella.edge.connections.header.timeouts").functionCounter().count();
            assertTrue(refused > 0, "some went over the per-address limit");
            assertTrue(refused + timedOut >= 500, "refused " + refused + " + timed out " + timedOut);
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    static String rawFrom(String localAddress, int port, String request) throws Exception {
        try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(localAddress), 0)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void healthAndAdminSkipTheQueueUnderLoad() throws Exception {
        TestUpstream slow = new TestUpstream("slow");
        open.add(slow);
        slow.delayMillis = 3000;
        EdgeUnderTest e = edge("limits: {max_concurrent_requests: 4, max_queued_requests: 100}\n"
                + "apps:\n  - {name: s, auth: none, health_check: {path: /health}, upstreams: [{url: " + slow.url() + "}]}\n");
        List<CompletableFuture<HttpResponse<Void>>> load = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            load.add(client.sendAsync(HttpRequest.newBuilder(URI.create(v4(e, "/apps/s/"))).build(),
                    HttpResponse.BodyHandlers.discarding()));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (slow.inFlight.get() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(4, slow.inFlight.get(), "four run, the rest wait");
        long start = System.nanoTime();
        assertEquals(200, status(v4(e, "/healthz")));
        assertEquals(200, status(v4(e, "/admin/keys")));
        long priority = System.nanoTime() - start;
        assertTrue(priority < Duration.ofMillis(1500).toNanos(), "health and admin answered in " + priority / 1_000_000 + " ms");
        var queued = client.sendAsync(HttpRequest.newBuilder(URI.create(v4(e, "/v1/models"))).build(),
                HttpResponse.BodyHandlers.discarding());
        Thread.sleep(500);
        assertTrue(!queued.isDone(), "an ordinary request waits its turn");
        assertEquals(200, queued.get().statusCode());
        for (var f : load) {
            assertEquals(200, f.get().statusCode());
        }
    }
}
