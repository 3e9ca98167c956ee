package io.cervella.edge.balance;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream server of an app, with what the balancer needs to know of it: its weight, whether the
 * health checks pass, its breaker, and how many requests it has in flight through this node.
 */
public final class Upstream {
    private final URI uri;
    private final int weight;
    private final CircuitBreaker breaker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean healthy = true;

    public Upstream(URI uri, int weight, CircuitBreaker breaker) {
        this.uri = uri;
        this.weight = weight;
        this.breaker = breaker;
    }

    public URI uri() { return uri; }
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
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    @Override
    public String toString() {
        return label();
    }
}
