package io.cervella.ops.probe;

import io.cervella.ops.facts.PlatformFacts.AppFact;
import io.cervella.ops.facts.PlatformFacts.UpstreamFact;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * A hosted app, named {@code app:NAME}: a GET of its health path on every upstream at once; up when at
 * least one answers 2xx or 3xx within the timeout. Every upstream is asked, whatever the edge's own
 * health checks think of it: the probe is a second opinion, from the outside of the balancer.
 */
record AppTarget(AppFact app, Duration interval, Duration timeout) implements ProbeTarget {
    static final String PREFIX = "app:";

    @Override
    public String name() {
        return PREFIX + app.name();
    }

    @Override
    public String url() {
        return app.upstreams().stream().map(u -> SafeUrl.of(healthUrl(u))).collect(Collectors.joining(", "));
    }

    private URI healthUrl(UpstreamFact u) {
        String base = u.url().endsWith("/") ? u.url().substring(0, u.url().length() - 1) : u.url();
        String path = app.healthPath() == null ? "/" : app.healthPath();
        return URI.create(base + (path.startsWith("/") ? path : "/" + path));
    }

    @Override
    public Check check(ProbeClients clients) {
        if (app.upstreams().isEmpty()) {
            return new Check(false, null, 0, "the app has no upstreams", List.of());
        }
        HttpClient client;
        try {
            client = clients.forCaFile(app.caFile());
        } catch (UncheckedIOException e) {
            return new Check(false, null, 0, "the app's ca_file cannot be read", List.of());
        }
        long start = System.nanoTime();
        List<ProbeResult.UpstreamCheck> checks = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpCheck.Outcome>> answers = new ArrayList<>();
            for (UpstreamFact u : app.upstreams()) {
                answers.add(threads.submit(() -> HttpCheck.get(client, healthUrl(u), timeout)));
            }
            for (int i = 0; i < answers.size(); i++) {
                HttpCheck.Outcome o = answers.get(i).get();
                checks.add(new ProbeResult.UpstreamCheck(SafeUrl.of(healthUrl(app.upstreams().get(i))), o.up(), o.status(),
                        o.latencyMs(), o.error()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check(false, null, (System.nanoTime() - start) / 1e6, "interrupted (the probes are stopping)", checks);
        } catch (ExecutionException e) {
            throw new IllegalStateException("an upstream's check failed unexpectedly", e.getCause());
        }
        var fastestUp = checks.stream().filter(ProbeResult.UpstreamCheck::up)
                .min(Comparator.comparingDouble(ProbeResult.UpstreamCheck::latencyMs));
        if (fastestUp.isPresent()) {
            // the answer a client would get soonest; the failed upstreams are in `checks`
            return new Check(true, fastestUp.get().status(), fastestUp.get().latencyMs(), null, checks);
        }
        String why = checks.stream().map(c -> c.url() + ": " + c.error()).collect(Collectors.joining("; "));
        Integer status = checks.stream().map(ProbeResult.UpstreamCheck::status).filter(s -> s != null).findFirst().orElse(null);
        return new Check(false, status, (System.nanoTime() - start) / 1e6, "no upstream answered: " + why, checks);
    }
}
