package io.cervella.ops.alert;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback that takes webhook posts and keeps them. It answers {@code status}
 * (200 unless set); its error answers echo the request path, as some services do, so that tests can
 * check the path's token does not reach the alert log that way.
 */
final class WebhookReceiver implements AutoCloseable {
    record Post(String path, String contentType, String body) {}

    private final HttpServer server;
    private final List<Post> posts = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicInteger failStatus = new AtomicInteger();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                posts.add(new Post(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Content-Type"), body));
                int answer = failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? failStatus.get() : status.get();
                byte[] out = (answer / 100 == 2 ? "ok" : "no thanks for " + exchange.getRequestURI().getPath())
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(answer, out.length);
                try (OutputStream o = exchange.getResponseBody()) {
                    o.write(out);
                }
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** The URL of {@code path} on this receiver. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void answer(int httpStatus) {
        status.set(httpStatus);
    }

    /** The next {@code count} posts get {@code httpStatus}, later ones the usual answer. */
    void failNext(int count, int httpStatus) {
        failStatus.set(httpStatus);
        failuresLeft.set(count);
    }

    List<Post> posts() {
        return List.copyOf(posts);
    }

    List<Post> posts(String path) {
        return posts.stream().filter(p -> p.path().equals(path)).toList();
    }

    void clear() {
        posts.clear();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
