package io.cervella.ops.probe;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/** A URL from {@code ops.probes.urls}: up when it answers 2xx or 3xx within the timeout. */
record UrlTarget(String name, URI uri, String caFile, Duration interval, Duration timeout) implements ProbeTarget {
    @Override
    public String url() {
        return SafeUrl.of(uri);
    }

    @Override
    public Check check(ProbeClients clients) {
        HttpCheck.Outcome o = HttpCheck.get(clients.forCaFile(caFile), uri, timeout);
        return new Check(o.up(), o.status(), o.latencyMs(), o.error(), List.of());
    }
}
