package io.cervella.edge.health;

import io.cervella.edge.balance.Upstream;
import io.cervella.edge.config.AppConfig.HealthCheckConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks of one app's upstreams: every interval, a GET of the check path on each (in
 * parallel, one virtual thread each); {@code healthy_threshold} passes in a row make an upstream
 * healthy, {@code unhealthy_threshold} failures in a row unhealthy. Changes are logged once.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final String app;
    private final List<Upstream> upstreams;
    private final HealthCheckConfig config;
    private volatile HttpClient client;
    private final List<Thread> threads = new java.util.ArrayList<>();
    private volatile boolean closed;

    public HealthChecker(String app, List<Upstream> upstreams, HealthCheckConfig config, HttpClient client) {
        this.app = app;
        this.upstreams = List.copyOf(upstreams);
        this.config = config;
        this.client = client;
    }

    /** Starts checking with this client (the app proxy's, so checks see what requests see). */
    public void start(HttpClient client) {
        this.client = client;
        for (Upstream u : upstreams) {
            threads.add(Thread.ofVirtual().name("health-" + app + "-" + u.label()).start(() -> loop(u)));
        }
    }

    private void loop(Upstream u) {
        long interval = (long) (config.intervalSeconds() * 1000);
        int passed = 0;
        int failed = 0;
        while (!closed) {
            boolean ok = probe(u);
            if (ok) {
                passed++;
                failed = 0;
                if (!u.healthy() && passed >= config.healthyThreshold()) {
                    u.breaker().onSuccess(); // it was down and answers again: the failures that opened its breaker are history
                    u.healthy(true);
                    LOG.info("app {}: upstream {} is healthy again", app, u.label());
                }
            } else {
                failed++;
                passed = 0;
                if (u.healthy() && failed >= config.unhealthyThreshold()) {
                    u.healthy(false);
                    LOG.warn("app {}: upstream {} failed {} health checks in a row: no traffic until it passes {}",
                            app, u.label(), failed, config.healthyThreshold());
                }
            }
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One check: a 2xx or 3xx answer within the timeout. */
    boolean probe(Upstream u) {
        try {
            ContentResponse r = client.newRequest(java.net.URI.create(u.uri() + config.path()))
                    .timeout((long) (config.timeoutSeconds() * 1000), TimeUnit.MILLISECONDS)
                    .headers(h -> h.put("User-Agent", "cervella-health-check"))
                    .send();
            return r.getStatus() >= 200 && r.getStatus() < 400;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        threads.forEach(Thread::interrupt);
    }
}
