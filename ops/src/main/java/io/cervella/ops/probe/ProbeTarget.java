package io.cervella.ops.probe;

import java.time.Duration;
import java.util.List;

/** What a probe checks, how often and how patiently: a URL from the config, or a hosted app's upstreams. */
sealed interface ProbeTarget permits UrlTarget, AppTarget {
    String name();

    /** Where it looks, without credentials or query: for the dashboard and the alerts. */
    String url();

    Duration interval();

    Duration timeout();

    /** Runs the check once, blocking (on a virtual thread) for at most about the timeout. */
    Check check(ProbeClients clients);

    /** The outcome of one run, before it gets a timestamp and a node. */
    record Check(boolean up, Integer status, double latencyMs, String error, List<ProbeResult.UpstreamCheck> upstreams) {}
}
