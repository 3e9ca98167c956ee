package io.cervella.inference.gateway;

import io.cervella.inference.config.GatewaySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Probes every backend with {@code GET {url}/models} on an interval; a pass brings a backend back. */
final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final ModelRouter router;
    private final UpstreamClient client;
    private final GatewaySettings settings;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    HealthChecker(ModelRouter router, UpstreamClient client, GatewaySettings settings) {
        this.router = router;
        this.client = client;
        this.settings = settings;
    }

    void start() {
        for (Backend b : router.allBackends()) {
            threads.add(Thread.ofVirtual().name("health-" + b.name()).start(() -> loop(b)));
        }
    }

    private void loop(Backend b) {
        long intervalMillis = (long) (settings.healthCheckIntervalSeconds() * 1000);
        while (running) {
            probe(b);
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    void probe(Backend b) {
        if (b.url() == null) {
            return; // an embedded backend between workers: its supervisor reports for it
        }
        String problem;
        try {
            int status = client.get(b, "/models", Duration.ofMillis((long) (settings.healthCheckTimeoutSeconds() * 1000)));
            problem = status / 100 == 2 ? null : "health probe answered HTTP " + status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            problem = "health probe failed: " + Failures.detail(e);
        }
        if (problem == null) {
            if (b.markUp()) {
                LOG.info("backend {} of model {} is back in service", b.name(), b.modelName());
            }
        } else if (b.markDown(problem)) {
            LOG.warn("backend {} of model {} taken out: {}", b.name(), b.modelName(), problem);
        }
    }

    @Override
    public void close() {
        running = false;
        threads.forEach(Thread::interrupt);
    }
}
