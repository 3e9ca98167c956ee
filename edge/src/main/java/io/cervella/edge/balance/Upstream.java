package io.cervella.edge.balance;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream server of an app, with what the balancer needs to know of it: its weight, whether the
 * health checks pass, its breaker, and how many requests it has in flight through this node.
 */
public final class Upstream {
    private final URI uri;
    private final String label;
    private final int port;
    private final String basePath;
    private final int weight;
    private final CircuitBreaker breaker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean healthy = true;

    public Upstream(URI uri, int weight, CircuitBreaker breaker) {
        this.uri = uri;
        this.port = uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
        this.label = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        this.basePath = uri.getRawPath() == null ? "" : uri.getRawPath();
        this.weight = weight;
        this.breaker = breaker;
    }

    public URI uri() { return uri; }
    public String scheme() { return uri.getScheme(); }
    public String host() { return uri.getHost(); }
    public int port() { return port; }
    /** The path of the upstream's URL (without a trailing slash), put before every request's path. */
    public String basePath() { return basePath; }
    public int weight() { return weight; }
    public CircuitBreaker breaker() { return breaker; }
    public boolean healthy() { return healthy; }
    public void healthy(boolean value) { healthy = value; }
    public int inFlight() { return inFlight.get(); }

    /** Healthy and its breaker would let a request through. */
    public boolean available() {
        return healthy && breaker.wouldAllow();
    }

    public void started() { inFlight.incrementAndGet(); }
    public void finished() { inFlight.decrementAndGet(); }

    /** The label in metrics and logs: scheme, host and port. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label();
    }
}
