package io.cervella.ops.probe;

import io.cervella.core.config.ConfigException;
import io.cervella.core.store.MetadataStore;
import io.cervella.ops.config.ProbeConfig;
import io.cervella.ops.config.ProbesConfig;
import io.cervella.ops.facts.FactSource;
import io.cervella.ops.facts.PlatformFacts.AppFact;
import io.cervella.ops.facts.ProbeFact;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uptime probes of one node: each URL of {@code ops.probes.urls}, and (unless {@code hosted_apps:
 * false}) one {@code app:NAME} per hosted app, each on its own interval on a virtual thread. Every run
 * is written to {@code ops_probe_results} under this node's name; uptime and history read every
 * node's runs. The hosted apps are read from the facts every {@link #APPS_REFRESH}, so that apps added
 * or removed by a reload are picked up; runs older than {@code keep_days} are deleted hourly.
 *
 * <p>Use: construct, {@link #start()}, {@link #close()}. A config reload builds a new instance: the
 * state (up or down since when) is read back from the database, so nothing is lost.
 */
public final class UptimeProbes implements AutoCloseable {
    public static final Duration APPS_REFRESH = Duration.ofSeconds(30);
    public static final Duration PRUNE_EVERY = Duration.ofHours(1);
    /** How stale the uptime gauges may get; the dashboard's figures are always read fresh. */
    static final Duration GAUGE_REFRESH = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(UptimeProbes.class);
    private static final List<Duration> WINDOWS = Arrays.stream(UptimeWindow.values()).map(UptimeWindow::length).toList();

    /** A probe: what it checks (an app's upstreams change with the facts), its state, its meters. */
    private static final class Probe {
        volatile ProbeTarget target;
        final ProbeState state;
        final ProbeMeters meters;
        volatile Thread loop;

        Probe(ProbeTarget target, ProbeState state, ProbeMeters meters) {
            this.target = target;
            this.state = state;
            this.meters = meters;
        }
    }

    private final ProbesConfig config;
    private final ProbeResultStore results;
    private final FactSource facts;
    private final MeterRegistry registry;
    private final Clock clock;
    private final String node;
    private final ProbeClients clients = new ProbeClients();
    private final Map<String, Probe> probes = new ConcurrentHashMap<>();
    private final List<Thread> housekeeping = new ArrayList<>();
    private volatile boolean running;
    private volatile boolean closed;

    /**
     * @param facts where the hosted apps come from (may be null when there are none to probe)
     * @param node this node's name, as stored with each run
     * @throws ConfigException when a probe's {@code ca_file} cannot be read
     */
    public UptimeProbes(ProbesConfig config, MetadataStore store, FactSource facts, MeterRegistry registry, Clock clock,
                        String node) {
        this.config = Objects.requireNonNull(config);
        this.results = new ProbeResultStore(store);
        this.facts = facts;
        this.registry = registry;
        this.clock = clock;
        this.node = Objects.requireNonNull(node);
        for (ProbeConfig p : config.urls()) {
            try {
                clients.forCaFile(p.caFile());
            } catch (UncheckedIOException | IllegalStateException e) {
                clients.close();
                String why = e instanceof UncheckedIOException io ? io.getCause().getMessage() : e.getMessage();
                throw new ConfigException("ops.probes.urls[" + p.name() + "].ca_file: cannot read " + p.caFile() + ": " + why, e);
            }
        }
        for (ProbeConfig p : config.urls()) {
            add(new UrlTarget(p.name(), URI.create(p.url()), p.caFile(),
                    Duration.ofSeconds(config.intervalOf(p)), Duration.ofSeconds(config.timeoutOf(p))));
        }
    }

    /** Starts every probe's loop, the hosted apps' refresh and the pruning. */
    public synchronized void start() {
        if (running || closed) {
            return;
        }
        running = true;
        refreshApps();
        probes.values().forEach(this::startLoop);
        housekeeping.add(Thread.ofVirtual().name("probes-apps").start(() -> every(APPS_REFRESH, false, this::refreshApps)));
        housekeeping.add(Thread.ofVirtual().name("probes-prune").start(() -> every(PRUNE_EVERY, true, this::prune)));
    }

    /** Stops the loops, aborts the requests in flight and removes the meters. Not restartable. */
    @Override
    public synchronized void close() {
        closed = true;
        running = false;
        housekeeping.forEach(Thread::interrupt);
        for (Probe p : probes.values()) {
            if (p.loop != null) {
                p.loop.interrupt();
            }
            p.meters.remove();
        }
        clients.close();
    }

    /** Runs one probe now, on the calling thread, and records the run as its loop would. */
    public ProbeResult runNow(String name) {
        Probe p = probes.get(name);
        if (p == null && name.startsWith(AppTarget.PREFIX)) {
            refreshApps();
            p = probes.get(name);
        }
        if (p == null) {
            throw new IllegalArgumentException("no probe named " + name);
        }
        return run(p);
    }

    /** The probes' names: the URLs' from the config, then the hosted apps' ({@code app:NAME}) seen so far. */
    public List<String> names() {
        return probes.keySet().stream().sorted().toList();
    }

    /** Each probe's state on this node, for the alert rules; a probe that never ran here is left out. */
    public List<ProbeFact> current() {
        return probes.values().stream().map(p -> p.state.fact()).filter(Objects::nonNull)
                .sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    /** Every probe with its state on this node and its uptime over 24 h, 7 d and 30 d (fresh from the database). */
    public List<ProbeSummary> summaries() {
        Instant now = clock.instant();
        List<ProbeSummary> out = new ArrayList<>();
        for (String name : names()) {
            Probe p = probes.get(name);
            if (p == null) {
                continue;
            }
            ProbeFact f = p.state.fact();
            List<Double> u = results.upShares(name, now, WINDOWS);
            out.add(new ProbeSummary(name, p.state.url(), f == null ? null : f.up(), f == null ? null : f.since(),
                    f == null ? null : f.lastError(), u.get(0), u.get(1), u.get(2)));
        }
        return out;
    }

    /** The share of the probe's runs (every node's) in the last {@code window} that were up; empty without runs. */
    public OptionalDouble uptime(String probe, Duration window) {
        Double share = results.upShares(probe, clock.instant(), List.of(window)).getFirst();
        return share == null ? OptionalDouble.empty() : OptionalDouble.of(share);
    }

    public OptionalDouble uptime(String probe, UptimeWindow window) {
        return uptime(probe, window.length());
    }

    /** The window's chart: 96 points of 15 min for 24 h, 168 of an hour for 7 d, 120 of 6 h for 30 d (one more at the edge). */
    public List<HistoryPoint> history(String probe, UptimeWindow window) {
        Instant now = clock.instant();
        return results.history(probe, now.minus(window.length()), now, window.bucket());
    }

    public List<HistoryPoint> history(String probe, Instant since, Duration bucket) {
        return results.history(probe, since, clock.instant(), bucket);
    }

    /** The probe's last runs (every node's), newest first: the dashboard's table of recent failures. */
    public List<ProbeResult> recent(String probe, int limit) {
        return results.recent(probe, limit);
    }

    /** Deletes the runs older than {@code keep_days} (every node's); returns how many. */
    public int prune() {
        int n = results.deleteBefore(clock.instant().minus(Duration.ofDays(config.keepDays())));
        if (n > 0) {
            LOG.debug("deleted {} probe results older than {} days", n, config.keepDays());
        }
        return n;
    }

    private ProbeResult run(Probe p) {
        ProbeTarget t = p.target;
        Instant ts = p.state.nextRunAt(clock.instant());
        ProbeTarget.Check c = t.check(clients);
        ProbeResult r = new ProbeResult(t.name(), node, ts, c.up(), c.status(), c.latencyMs(), c.error(), c.upstreams());
        if (closed || Thread.currentThread().isInterrupted()) {
            return r; // cut short by a stop (or the app's removal): not the target's fault, not recorded
        }
        try {
            results.insert(r);
        } catch (RuntimeException e) {
            LOG.warn("probe {}: cannot store the run: {}", t.name(), e.getMessage());
        }
        p.meters.recordRun(c.latencyMs());
        boolean changed = p.state.record(r);
        if (changed) {
            if (r.up()) {
                LOG.info("probe {} is up ({})", t.name(), t.url());
            } else {
                LOG.warn("probe {} is down: {}", t.name(), r.error());
            }
        }
        Instant now = clock.instant();
        if (changed || !now.isBefore(p.state.uptimesAt().plus(GAUGE_REFRESH))) {
            refreshUptimes(p, now);
        }
        return r;
    }

    private void refreshUptimes(Probe p, Instant now) {
        try {
            p.state.uptimes(results.upShares(p.target.name(), now, WINDOWS), now);
        } catch (RuntimeException e) {
            LOG.warn("probe {}: cannot read its uptime: {}", p.target.name(), e.getMessage());
        }
    }

    private synchronized Probe add(ProbeTarget target) {
        ProbeResultStore.StoredState stored = null;
        try {
            stored = results.lastState(target.name(), node).orElse(null);
        } catch (RuntimeException e) {
            LOG.warn("probe {}: cannot read its last state: {}", target.name(), e.getMessage());
        }
        ProbeState state = new ProbeState(target.name(), target.url(), stored);
        Probe p = new Probe(target, state, new ProbeMeters(registry, target.name(), state));
        refreshUptimes(p, clock.instant());
        probes.put(target.name(), p);
        return p;
    }

    /** Adds the probes of new hosted apps, points the others at their current upstreams, drops the gone. */
    synchronized void refreshApps() {
        if (!config.hostedApps() || facts == null || closed) {
            return;
        }
        List<AppFact> apps;
        try {
            apps = facts.now().apps();
        } catch (RuntimeException e) {
            LOG.warn("cannot read the hosted apps for their probes: {}", e.getMessage());
            return;
        }
        Duration interval = Duration.ofSeconds(config.intervalSeconds());
        Duration timeout = Duration.ofSeconds(config.timeoutSeconds());
        Set<String> seen = new HashSet<>();
        for (AppFact app : apps) {
            AppTarget target = new AppTarget(app, interval, timeout);
            seen.add(target.name());
            Probe p = probes.get(target.name());
            if (p == null) {
                p = add(target);
                if (running) {
                    startLoop(p);
                }
            } else {
                p.target = target;
                p.state.url(target.url());
            }
        }
        for (Probe p : List.copyOf(probes.values())) {
            if (p.target instanceof AppTarget && !seen.contains(p.target.name())) {
                probes.remove(p.target.name());
                if (p.loop != null) {
                    p.loop.interrupt();
                }
                p.meters.remove();
            }
        }
    }

    private void startLoop(Probe p) {
        p.loop = Thread.ofVirtual().name("probe-" + p.target.name()).start(() -> {
            while (running && probes.get(p.target.name()) == p) {
                long started = System.nanoTime();
                try {
                    run(p);
                } catch (RuntimeException e) {
                    LOG.warn("probe {}: the run failed: {}", p.target.name(), e.toString());
                }
                long leftMs = p.target.interval().toMillis() - (System.nanoTime() - started) / 1_000_000;
                try {
                    Thread.sleep(Math.max(leftMs, 0));
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private void every(Duration period, boolean runFirst, Runnable task) {
        boolean sleep = !runFirst;
        while (running) {
            if (sleep) {
                try {
                    Thread.sleep(period);
                } catch (InterruptedException e) {
                    return;
                }
            }
            sleep = true;
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("probes: {}", e.toString());
            }
        }
    }
}
