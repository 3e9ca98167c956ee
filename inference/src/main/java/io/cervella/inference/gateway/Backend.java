package io.cervella.inference.gateway;

import io.cervella.inference.config.BackendConfig;
import java.time.Instant;

/**
 * A backend at run time: its settings, its concurrency limit, its busy-time meter and its health.
 * Health goes down on a failed request or probe and comes back only through a passing probe.
 */
public final class Backend {
    private final String modelName;
    private final int contextTokens;
    private final BackendConfig config;
    private volatile String apiKey;
    /** Where the backend answers: from the config, or, for an embedded backend, its worker once it runs. */
    private volatile String url;
    final ConcurrencyLimiter limiter;
    final BusyMeter busy = new BusyMeter();
    private volatile boolean healthy = true;
    private volatile String lastError = "";
    private volatile Instant lastChange = Instant.now();

    Backend(String modelName, int contextTokens, BackendConfig config, String apiKey) {
        this.modelName = modelName;
        this.contextTokens = contextTokens;
        this.config = config;
        this.apiKey = apiKey;
        this.url = config.type().equals("openai") ? config.url() : null;
        if (url == null) {
            healthy = false;
            lastError = "worker not started yet";
        }
        this.limiter = new ConcurrencyLimiter(config.maxConcurrency(), config.maxQueue());
    }

    public String modelName() { return modelName; }
    /** The model's context length: what an embedded backend's worker is started with. */
    public int contextTokens() { return contextTokens; }
    public String name() { return config.name(); }
    public BackendConfig config() { return config; }
    String apiKey() { return apiKey; }

    /** The base URL (with /v1), or null while an embedded backend's worker is not running. */
    public String url() { return url; }

    public boolean embedded() { return config.type().equals("embedded"); }

    /** An embedded backend's worker is up at this URL, answering to this token. */
    public void attachWorker(String workerUrl, String nodeToken) {
        this.apiKey = nodeToken;
        this.url = workerUrl;
        markUp(); // it has just said it is ready; the probes take over from here
    }

    /** An embedded backend's worker is gone (it died or is restarting). */
    public void detachWorker(String reason) {
        this.url = null;
        markDown(reason);
    }

    /** The name the backend's server expects in "model". */
    String upstreamModel() {
        return config.model() != null ? config.model() : modelName;
    }

    public boolean healthy() { return healthy; }
    public String lastError() { return lastError; }
    public Instant lastChange() { return lastChange; }
    public int inFlight() { return limiter.inFlight(); }
    public int queued() { return limiter.queued(); }

    /** @return true when this changed the state */
    boolean markDown(String reason) {
        lastError = reason;
        if (healthy) {
            healthy = false;
            lastChange = Instant.now();
            return true;
        }
        return false;
    }

    boolean markUp() {
        if (!healthy) {
            healthy = true;
            lastChange = Instant.now();
            return true;
        }
        return false;
    }

    double costUsd(double busySeconds) {
        return config.costPerHourUsd() * busySeconds / 3600.0;
    }
}
