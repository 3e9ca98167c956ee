package io.cervella.inference.config;

import io.cervella.core.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * One backend of a model, as written under {@code models[].backends[]}.
 *
 * @param type                 {@code openai}: any OpenAI-compatible server (vLLM, llama.cpp server, Ollama);
 *                             {@code embedded}: the pure-Java engine in a worker process
 * @param name                 label in usage and metrics; default: the url's host:port
 * @param url                  base URL including /v1, e.g. http://gpu-1:8000/v1
 * @param model                the model name that server expects; default: the model's own name
 * @param apiKeyEnv            environment variable holding that server's key (never the key itself)
 * @param costPerHourUsd       what the backend costs while it runs; default 0
 * @param maxConcurrency       requests sent to it at once; default 16
 * @param maxQueue             requests that may wait for a slot; default 64; more get 429
 * @param queueTimeoutSeconds  longest wait for a slot; default 30
 * @param timeoutSeconds       longest wait for the first byte; default 120. A non-streamed answer's first
 *                             byte comes with its end, so for those it bounds the whole answer
 * @param path                 the GGUF file of an embedded backend
 */
public record BackendConfig(String type, String name, String url, String model, String apiKeyEnv,
                            Double costPerHourUsd, Integer maxConcurrency, Integer maxQueue,
                            Double queueTimeoutSeconds, Double timeoutSeconds, String path) {
    public BackendConfig {
        ConfigException.check(type != null, "type", "is required (openai or embedded)");
        ConfigException.check(type.equals("openai") || type.equals("embedded"), "type",
                "must be openai or embedded, was '" + type + "'");
        if (type.equals("openai")) {
            ConfigException.check(url != null && !url.isBlank(), "url", "is required for an openai backend");
            try {
                URI u = new URI(url);
                ConfigException.check("http".equals(u.getScheme()) || "https".equals(u.getScheme()), "url",
                        "must be an http:// or https:// URL, was '" + url + "'");
                ConfigException.check(u.getHost() != null, "url", "has no host: '" + url + "'");
            } catch (URISyntaxException e) {
                throw new ConfigException("url: not a valid URL: " + e.getMessage());
            }
            url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        } else {
            ConfigException.check(path != null && !path.isBlank(), "path", "is required for an embedded backend");
        }
        costPerHourUsd = costPerHourUsd == null ? 0.0 : costPerHourUsd;
        maxConcurrency = maxConcurrency == null ? 16 : maxConcurrency;
        maxQueue = maxQueue == null ? 64 : maxQueue;
        queueTimeoutSeconds = queueTimeoutSeconds == null ? 30.0 : queueTimeoutSeconds;
        timeoutSeconds = timeoutSeconds == null ? 120.0 : timeoutSeconds;
        ConfigException.check(costPerHourUsd >= 0, "cost_per_hour_usd", "must not be negative");
        ConfigException.check(maxConcurrency >= 1, "max_concurrency", "must be at least 1");
        ConfigException.check(maxQueue >= 0, "max_queue", "must not be negative");
        ConfigException.check(queueTimeoutSeconds >= 0, "queue_timeout_seconds", "must not be negative");
        ConfigException.check(timeoutSeconds > 0, "timeout_seconds", "must be positive");
        if (name == null) {
            name = type.equals("openai") ? hostPort(url) : "embedded:" + path;
        }
    }

    private static String hostPort(String url) {
        URI u = URI.create(url);
        int port = u.getPort() != -1 ? u.getPort() : ("https".equals(u.getScheme()) ? 443 : 80);
        return u.getHost() + ":" + port;
    }
}
