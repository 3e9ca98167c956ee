package io.cervella.ops.alert;

import io.cervella.ops.config.WebhookConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts a message to one webhook: up to {@code maxTries} tries, waiting {@code backoff}, then twice
 * that, between them, when there was no answer or it was 5xx or 429 (another 4xx will not change by
 * trying again). Every try is written to the alert log. The webhook's URL is never logged: it often
 * holds the token (Slack, Discord and Telegram put it in the path).
 */
final class WebhookSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
    /** How much of a refusing receiver's answer the log keeps (Telegram says why there). */
    private static final int ANSWER_BYTES = 200;

    private final HttpClient client;
    private final Duration timeout;
    private final int maxTries;
    private final Duration backoff;
    private final AlertLog log;
    private final AlertMetrics metrics;
    private final Clock clock;

    WebhookSender(Duration timeout, int maxTries, Duration backoff, AlertLog log, AlertMetrics metrics, Clock clock) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.timeout = timeout;
        this.maxTries = maxTries;
        this.backoff = backoff;
        this.log = log;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Sends {@code m}; true when the receiver took it (2xx). Blocks through the tries. */
    boolean send(WebhookConfig webhook, AlertMessage m) {
        URI url = URI.create(webhook.url());
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "cervella-alerts")
                .POST(HttpRequest.BodyPublishers.ofString(WebhookBodies.body(webhook, m), StandardCharsets.UTF_8))
                .build();
        for (int attempt = 1; attempt <= maxTries; attempt++) {
            String tries = " (try " + attempt + " of " + maxTries + ")";
            boolean retry;
            try {
                HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                int status = response.statusCode();
                String answer;
                try (InputStream body = response.body()) {
                    answer = new String(body.readNBytes(ANSWER_BYTES), StandardCharsets.UTF_8).strip();
                }
                if (status / 100 == 2) {
                    log.append(m, webhook.name(), clock.instant(), true, "HTTP " + status + tries);
                    metrics.delivered(webhook.name(), true);
                    return true;
                }
                log.append(m, webhook.name(), clock.instant(), false, "HTTP " + status + tries
                        + (answer.isEmpty() ? "" : ": " + Text.withoutUrl(answer, url)));
                retry = status / 100 == 5 || status == 429;
            } catch (IOException e) {
                log.append(m, webhook.name(), clock.instant(), false, describe(e, url) + tries);
                retry = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                log.append(m, webhook.name(), clock.instant(), false, "stopped before an answer came" + tries);
                break;
            }
            if (!retry || attempt == maxTries) {
                break;
            }
            try {
                Thread.sleep(backoff.multipliedBy(1L << (attempt - 1)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.warn("alert {} {} {} not delivered to webhook '{}' (see the alert log)", m.status().label(), m.rule(),
                m.subject(), webhook.name());
        metrics.delivered(webhook.name(), false);
        return false;
    }

    @Override
    public void close() {
        client.close();
    }

    private static String describe(IOException e, URI url) {
        String message = e.getMessage() == null ? "" : ": " + e.getMessage();
        return Text.withoutUrl(e.getClass().getSimpleName() + message, url);
    }
}
