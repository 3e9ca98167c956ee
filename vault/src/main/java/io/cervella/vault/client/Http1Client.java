package io.cervella.vault.client;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
    /** A connection reused within this long is taken as it is; one idle longer is checked first. */
    static final Duration QUIET_REUSE = Duration.ofSeconds(1);
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vault-http-deadlines");
        t.setDaemon(true);
        return t;
    });

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
        Http1Connection kept = takeIdle();
        if (kept == null) {
            return exchangeAndKeep(Http1Connection.open(base, ssl, CONNECT_TIMEOUT), method, target, headers, body, bodyLength, timeout);
        }
        try {
            return exchangeAndKeep(kept, method, target, headers, body, bodyLength, timeout);
        } catch (IOException e) {
            // only a connection the server closed before answering: never one that timed out (the request may be running)
            if (repeatable && !kept.responseStarted() && !(e instanceof SocketTimeoutException)) {
                return exchangeAndKeep(Http1Connection.open(base, ssl, CONNECT_TIMEOUT), method, target, headers, body, bodyLength, timeout);
            }
            throw e;
        }
    }

    /** An exchange on {@code c}; the connection is kept for the next request, or closed if it failed. */
    private Http1Connection.Response exchangeAndKeep(Http1Connection c, String method, String target, List<String> headers,
                                                     byte[] body, int bodyLength, Duration timeout) throws IOException {
        try {
            Http1Connection.Response r = exchange(c, method, target, headers, body, bodyLength, timeout);
            giveBack(c);
            return r;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** One exchange under a deadline for all of it: a stalled write (a network gone) ends there too, not only a silent read. */
    private static Http1Connection.Response exchange(Http1Connection c, String method, String target, List<String> headers,
                                                     byte[] body, int bodyLength, Duration timeout) throws IOException {
        ScheduledFuture<?> deadline = DEADLINES.schedule(c::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return c.exchange(method, target, headers, body, bodyLength, timeout);
        } catch (IOException e) {
            if (c.timedOut()) {
                throw new SocketTimeoutException("no answer within " + timeout.toSeconds() + " s");
            }
            throw e;
        } finally {
            deadline.cancel(false);
        }
    }

    private synchronized Http1Connection takeIdle() {
        for (Http1Connection c; (c = idle.pollLast()) != null; ) {
            // one idle for more than a moment is checked first: a proxy may have closed it, or answered 408 on it
            if (c.idleNanos() < MAX_IDLE.toNanos() && (c.idleNanos() < QUIET_REUSE.toNanos() ? c.reusable() : c.healthy())) {
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
