package io.cervella.ops.probe;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One GET: up when a 2xx or 3xx (redirects are not followed) comes back, body and all, within the timeout. */
final class HttpCheck {
    /** What one GET found; {@code error} is null when up, and never holds the URL's credentials or query. */
    record Outcome(boolean up, Integer status, double latencyMs, String error) {}

    private HttpCheck() {}

    static Outcome get(HttpClient client, URI uri, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(withoutUserInfo(uri))
                .timeout(timeout)
                .header("User-Agent", "cervella-uptime-probe")
                .GET();
        if (uri.getRawUserInfo() != null) {
            // user:password in a probe's URL: sent as HTTP Basic, as curl and browsers do
            String userInfo = java.net.URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
        }
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<Void>> answer = client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding());
        try {
            // the request's own timeout ends the wait for the headers; this one also bounds a body that trickles
            int status = answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS).statusCode();
            double ms = (System.nanoTime() - start) / 1e6;
            boolean up = status >= 200 && status < 400;
            return new Outcome(up, status, ms, up ? null : "HTTP " + status);
        } catch (ExecutionException e) {
            return new Outcome(false, null, (System.nanoTime() - start) / 1e6, ProbeErrors.describe(e.getCause(), timeout));
        } catch (TimeoutException e) {
            answer.cancel(true);
            return new Outcome(false, null, (System.nanoTime() - start) / 1e6, ProbeErrors.describe(e, timeout));
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            return new Outcome(false, null, (System.nanoTime() - start) / 1e6, "interrupted (the probes are stopping)");
        }
    }

    private static URI withoutUserInfo(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri;
        }
        String s = uri.toString();
        return URI.create(s.replaceFirst("//[^/@]*@", "//"));
    }
}
