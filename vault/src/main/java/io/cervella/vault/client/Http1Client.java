package io.cervella.vault.client;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * HTTP/1.1 requests to one server over a few kept-open connections ({@link Http1Connection}), one
 * request per connection at a time: concurrent requests open connections of their own.
 */
final class Http1Client implements AutoCloseable {
    /** The server closes idle connections after 120 s; one idle for half of that is not tried again. */
    static final Duration MAX_IDLE = Duration.ofSeconds(60);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_IDLE_CONNECTIONS = 4;

    private final URI base;
    private final SSLContext ssl;
    private final Deque<Http1Connection> idle = new ArrayDeque<>();
    private boolean closed;

    Http1Client(URI base, SSLContext ssl) {
        this.base = base;
        this.ssl = ssl;
    }

    /**
     * Sends a request and reads its answer. A request that failed on a connection kept from before,
     * without any answer, is sent once more on a new connection when {@code repeatable}: the server may
     * have closed that connection just before it was used.
     */
    Http1Connection.Response send(String method, String target, List<String> headers, byte[] body, int bodyLength,
                                  Duration timeout, boolean repeatable) throws IOException {
        Http1Connection c = takeIdle();
        boolean reused = c != null;
        if (c == null) {
            c = Http1Connection.open(base, ssl, CONNECT_TIMEOUT);
        }
        try {
            Http1Connection.Response r = c.exchange(method, target, headers, body, bodyLength, timeout);
            giveBack(c);
            return r;
        } catch (IOException | RuntimeException e) {
            c.close();
            if (reused && repeatable && !c.responseStarted() && e instanceof IOException) {
                Http1Connection fresh = Http1Connection.open(base, ssl, CONNECT_TIMEOUT);
                try {
                    Http1Connection.Response r = fresh.exchange(method, target, headers, body, bodyLength, timeout);
                    giveBack(fresh);
                    return r;
                } catch (IOException | RuntimeException again) {
                    fresh.close();
                    throw again;
                }
            }
            throw e;
        }
    }

    private synchronized Http1Connection takeIdle() {
        for (Http1Connection c; (c = idle.pollLast()) != null; ) {
            if (c.reusable() && c.idleNanos() < MAX_IDLE.toNanos()) {
                return c;
            }
            c.close();
        }
        return null;
    }

    private void giveBack(Http1Connection c) {
        synchronized (this) {
            if (!closed && c.reusable() && idle.size() < MAX_IDLE_CONNECTIONS) {
                idle.addLast(c);
                return;
            }
        }
        c.close();
    }

    @Override
    public synchronized void close() {
        closed = true;
        idle.forEach(Http1Connection::close);
        idle.clear();
    }
}
