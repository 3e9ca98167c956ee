package io.cervella.edge.guard;

import io.cervella.edge.net.CidrSet;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-address connection limits and the header timeout, on a listener's connections. A client address
 * (trusted proxies excepted: a load balancer speaks for many) may hold {@code maxPerIp} sockets; more
 * are closed as they open (IPv6 addresses count by their /64). A socket must finish its TLS handshake
 * and protocol choice, and an HTTP/1.1 connection each request's headers, within {@code headerTimeout} (slowloris sends headers a byte at a time; the data
 * rate limits of Jetty only start once a body flows). A sweep twice a second closes the ones that do not.
 */
public final class ConnectionGuard implements Connection.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    /** One socket: when it opened, and since when its HTTP/1.1 connection has been reading a request's headers. */
    private static final class Tracked {
        final InetAddress address;
        final String key;
        final long openedAt = System.nanoTime();
        volatile HttpConnection http;
        volatile boolean upgraded;
        long headersSince = -1;
        long headersOfMessage = -1;

        Tracked(InetAddress address) {
            this.address = address;
            this.key = io.cervella.edge.net.ClientKey.of(address);
        }
    }

    private final int maxPerIp;
    private final long headerTimeoutNanos;
    private final CidrSet exempt;
    private final Map<EndPoint, Tracked> sockets = new ConcurrentHashMap<>();
    private final Map<String, Integer> perIp = new ConcurrentHashMap<>();
    private final Thread sweeper;
    private final java.util.concurrent.atomic.LongAdder refused = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder timedOut = new java.util.concurrent.atomic.LongAdder();

    public ConnectionGuard(int maxPerIp, Duration headerTimeout, CidrSet exempt) {
        this.maxPerIp = maxPerIp;
        this.headerTimeoutNanos = headerTimeout.toNanos();
        this.exempt = exempt;
        this.sweeper = Thread.ofVirtual().name("edge-connection-sweep").start(this::sweepLoop);
    }

    @Override
    public void onOpened(Connection connection) {
        EndPoint ep = connection.getEndPoint();
        if (ep instanceof SocketChannelEndPoint) {
            InetAddress address = ep.getRemoteSocketAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
            if (address == null) {
                return;
            }
            Tracked known = sockets.get(ep);
            if (known != null) {
                return; // a new connection on a socket already counted (an upgrade on a plain listener)
            }
            Tracked t = new Tracked(address);
            if (connection instanceof HttpConnection http) { // a plain listener: HTTP/1.1 straight on the socket
                t.http = http;
                t.upgraded = true;
            }
            sockets.put(ep, t);
            int count = perIp.merge(t.key, 1, Integer::sum);
            if (count > maxPerIp && !exempt.contains(address)) {
                refused.increment();
                ep.close(); // onClosed gives the count back
            }
            return;
        }
        // a connection on a decrypted endpoint: ALPN's first (still in the handshake), then the protocol's
        Tracked t = sockets.get(network(ep));
        if (t != null && !(connection instanceof org.eclipse.jetty.server.NegotiatingServerConnection)) {
            if (connection instanceof HttpConnection http) {
                t.http = http;
            }
            t.upgraded = true; // the handshake is done and a protocol chosen
        }
    }

    @Override
    public void onClosed(Connection connection) {
        EndPoint ep = connection.getEndPoint();
        if (ep instanceof SocketChannelEndPoint && !ep.isOpen()) { // open still: one connection gave way to another
            forget(ep);
        }
    }

    private void forget(EndPoint ep) {
        Tracked t = sockets.remove(ep);
        if (t != null) {
            perIp.computeIfPresent(t.key, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** The socket endpoint under an SslConnection's decrypted endpoint. */
    private EndPoint network(EndPoint ep) {
        if (ep instanceof org.eclipse.jetty.io.ssl.SslConnection.SslEndPoint ssl) {
            return ssl.getSslConnection().getEndPoint();
        }
        return ep;
    }

    private void sweepLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            sweep(System.nanoTime());
        }
    }

    void sweep(long now) {
        for (Map.Entry<EndPoint, Tracked> e : sockets.entrySet()) {
            Tracked t = e.getValue();
            if (!e.getKey().isOpen()) {
                forget(e.getKey()); // closed under a connection that did not report it (a WebSocket tunnel's)
                continue;
            }
            boolean late;
            HttpConnection http = t.http;
            if (http == null) {
                // still in the TLS handshake or choosing a protocol; HTTP/2 has its own limits
                late = !t.upgraded && now - t.openedAt > headerTimeoutNanos;
            } else if (http.getParser().inHeaderState() && !http.getParser().isStart()) {
                long message = http.getMessagesIn();
                if (t.headersOfMessage != message || t.headersSince < 0) {
                    t.headersOfMessage = message;
                    t.headersSince = now;
                }
                late = now - t.headersSince > headerTimeoutNanos;
            } else {
                t.headersSince = -1;
                late = false;
            }
            if (late) {
                timedOut.increment();
                LOG.debug("closing a connection from {}: its request headers took longer than the header timeout", t.address);
                e.getKey().close();
            }
        }
    }

    /** Sockets refused for too many from one address, and closed for slow headers, since start. */
    public long refused() { return refused.sum(); }
    public long timedOut() { return timedOut.sum(); }
    public int open() { return sockets.size(); }

    @Override
    public void close() {
        sweeper.interrupt();
    }
}
