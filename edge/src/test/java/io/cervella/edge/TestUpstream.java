package io.cervella.edge;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback (the JDK's), standing for one of the team's app servers: answers
 * its name, counts requests, remembers the last request's headers and path, can be slowed down,
 * streams server-sent events on /events, and can be stopped and started again on the same port.
 */
final class TestUpstream implements AutoCloseable {
    final String name;
    private int port;
    private HttpServer server;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    volatile int delayMillis;
    volatile boolean healthy = true;
    final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
    volatile String lastPath;

    TestUpstream(String name) throws IOException {
        this.name = name;
        start(0);
    }

    private void start(int onPort) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 200);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
    }

    int port() {
        return port;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (path.equals("/health")) {
            byte[] b = (healthy ? "ok" : "down").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(healthy ? 200 : 503, b.length);
            ex.getResponseBody().write(b);
            ex.close();
            return;
        }
        requests.incrementAndGet();
        inFlight.incrementAndGet();
        try {
            lastPath = ex.getRequestURI().toString();
            lastHeaders.clear();
            ex.getRequestHeaders().forEach((k, v) -> lastHeaders.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
            if (path.endsWith("/events")) {
                events(ex);
                return;
            }
            if (path.endsWith("/big")) {
                big(ex);
                return;
            }
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            byte[] body = ex.getRequestMethod().equals("POST") ? ex.getRequestBody().readAllBytes()
                    : name.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("X-Upstream", name);
            ex.getResponseHeaders().add("Keep-Alive", "timeout=5"); // hop-by-hop: the edge must drop it
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
            ex.close();
        }
    }

    /** Three events 300 ms apart: a proxy that buffers delivers them all at the end. */
    private void events(HttpExchange ex) throws IOException, InterruptedException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        for (int i = 1; i <= 3; i++) {
            out.write(("data: event " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(300);
        }
        out.close();
    }

    /** 32 MiB, slowly enough that a client can leave in the middle. */
    private void big(HttpExchange ex) throws IOException, InterruptedException {
        ex.sendResponseHeaders(200, 32L << 20);
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < 512; i++) {
                out.write(block);
                if (i % 16 == 0) {
                    Thread.sleep(5);
                }
            }
        } catch (IOException clientLeft) {
            // the proxy closed its side: expected in the tests that leave early
        }
    }

    void stop() {
        server.stop(0);
    }

    void restart() throws IOException {
        start(port);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
