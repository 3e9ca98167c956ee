package io.cervella.edge.proxy;

import io.cervella.core.tls.PemFiles;
import io.cervella.edge.balance.BalancingPolicy;
import io.cervella.edge.balance.CircuitBreaker;
import io.cervella.edge.balance.Upstream;
import io.cervella.edge.config.AppConfig;
import io.cervella.edge.health.HealthChecker;
import io.cervella.edge.net.CidrSet;
import io.cervella.edge.net.ClientAddress;
import io.cervella.edge.observe.AppMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One app as it runs: its upstreams with their breakers, the balancing policy, the proxy (with its
 * own HTTP client: its own connection pool and, for https upstreams, its own trust), the health
 * checks and the metrics. Built from its config; a reload builds a new one and closes the old one
 * once its requests are done.
 */
public final class HostedApp implements AutoCloseable {
    private final AppConfig config;
    private final List<Upstream> upstreams;
    private final BalancingPolicy policy;
    private final AppProxy proxy;
    private final HealthChecker health;
    private final AppMetrics metrics;
    private final CidrSet allow;
    private final CidrSet deny;

    public HostedApp(AppConfig config, ClientAddress clients, MeterRegistry registry, io.cervella.edge.observe.UpstreamGauges gauges,
                     Server server) {
        this.config = config;
        List<Upstream> list = new ArrayList<>();
        for (AppConfig.UpstreamConfig u : config.upstreams()) {
            list.add(new Upstream(URI.create(u.url()), u.weight(), new CircuitBreaker(config.circuitBreaker().failures(),
                    Duration.ofMillis((long) (config.circuitBreaker().openSeconds() * 1000)), System::nanoTime)));
        }
        this.upstreams = List.copyOf(list);
        this.policy = BalancingPolicy.named(config.policy(), upstreams);
        this.metrics = new AppMetrics(config.name(), upstreams, registry, gauges);
        this.allow = CidrSet.parse(config.firewall().allow());
        this.deny = CidrSet.parse(config.firewall().deny());
        this.proxy = new AppProxy(this, clients) {
            @Override
            protected HttpClient newHttpClient() {
                return httpClient(config);
            }

            @Override
            protected void configureHttpClient(HttpClient client) {
                super.configureHttpClient(client);
                client.setConnectTimeout((long) (config.timeouts().connectSeconds() * 1000));
                client.setMaxConnectionsPerDestination(256); // per upstream; the pool is scanned on every request
                client.setMaxRequestsQueuedPerDestination(16 * 1024);
                client.setIdleTimeout(60_000);
                client.setUserAgentField(null); // the client's own User-Agent goes through
            }
        };
        proxy.setServer(server);
        this.health = new HealthChecker(config.name(), upstreams, config.healthCheck(), null);
    }

    private static HttpClient httpClient(AppConfig config) {
        ClientConnector connector = new ClientConnector();
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("edge-" + config.name());
        // platform threads: the client's work is non-blocking, and Jetty then runs it where the bytes
        // arrived; a virtual thread per response cost a third of the proxy's CPU in profiles
        connector.setExecutor(threads);
        // more than one selector: each relays answers and reads the next requests (ServerThreads), so one
        // thread would carry most of the proxy's work
        connector.setSelectors(Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 4));
        connector.setSslContextFactory(tls(config));
        HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(connector);
        // the proxy's response listeners only hand bytes on (writes with callbacks), so an upstream's
        // answer is parsed and relayed on the thread that read it: no hand-off to another thread
        transport.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        return new HttpClient(transport);
    }

    /** Upstreams over https are verified: host name and chain, against the system's CAs or the app's {@code ca_file}. */
    private static SslContextFactory.Client tls(AppConfig config) {
        SslContextFactory.Client tls = new SslContextFactory.Client();
        tls.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        if (config.caFile() != null) {
            try {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (X509Certificate c : PemFiles.readCertificates(Path.of(config.caFile()))) {
                    trust.setCertificateEntry("ca-" + i++, c);
                }
                tls.setTrustStore(trust);
            } catch (IOException | java.security.GeneralSecurityException e) {
                throw new io.cervella.core.config.ConfigException("apps '" + config.name() + "'.ca_file: " + e.getMessage(), e);
            }
        }
        return tls;
    }

    public void start() throws Exception {
        proxy.start();
        health.start(proxy.getHttpClient());
    }

    /** The answer when no upstream can take a request: 503 with Retry-After, counted. */
    boolean refuseNoUpstream(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response, Callback callback) {
        metrics.noUpstream();
        EdgeErrors.write(request, response, callback, 503, "no_healthy_upstream",
                "app '" + config.name() + "' has no healthy upstream right now", 5);
        return true;
    }

    /** Whether an upstream not yet tried could take the request (without taking a half-open trial). */
    boolean hasAlternative(List<Upstream> tried) {
        boolean anyHealthy = upstreams.stream().anyMatch(Upstream::healthy);
        for (Upstream u : upstreams) {
            if (!tried.contains(u) && u.breaker().wouldAllow() && (u.healthy() || !anyHealthy)) {
                return true;
            }
        }
        return false;
    }

    /** The upstream for the next attempt of a request, or null when none can take it. */
    Upstream choose(List<Upstream> tried) {
        List<Upstream> healthy = new ArrayList<>(upstreams.size());
        for (Upstream u : upstreams) {
            if (u.available() && !tried.contains(u)) {
                healthy.add(u);
            }
        }
        if (healthy.isEmpty()) {
            // every upstream failing its checks: try them anyway (a wrong check path must not take the app down)
            for (Upstream u : upstreams) {
                if (u.breaker().wouldAllow() && !tried.contains(u) && upstreams.stream().noneMatch(Upstream::healthy)) {
                    healthy.add(u);
                }
            }
        }
        while (!healthy.isEmpty()) {
            Upstream u = policy.pick(healthy);
            if (u.breaker().tryAcquire()) {
                return u;
            }
            healthy.remove(u);
        }
        return null;
    }

    public String name() { return config.name(); }
    public AppConfig config() { return config; }
    public String prefix() { return config.prefix(); }

    /** The path the health checks ask each upstream for. */
    public String healthPath() { return config.healthCheck().path(); }

    /** The CA file its https upstreams are checked against, or null (the system's CAs). */
    public String caFile() { return config.caFile(); }
    public boolean stripPrefix() { return config.stripPrefix(); }
    public List<Upstream> upstreams() { return upstreams; }
    AppMetrics metrics() { return metrics; }
    AppProxy proxy() { return proxy; }
    CidrSet allow() { return allow; }
    CidrSet deny() { return deny; }

    /** The trust for https upstreams (system CAs or {@code ca_file}, host names checked), started with the proxy. */
    SslContextFactory.Client upstreamTls() { return proxy.getHttpClient().getSslContextFactory(); }

    private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();

    /** Counts a request routed here until {@code callback} completes (a key lookup or a queue wait included). */
    Callback enter(Callback callback) {
        active.incrementAndGet();
        return new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                active.decrementAndGet();
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                active.decrementAndGet();
                super.failed(x);
            }
        };
    }

    /** Requests routed to this app and not finished, and open WebSocket tunnels (counted by their upstream). */
    public int inFlight() {
        return active.get() + upstreams.stream().mapToInt(Upstream::inFlight).sum();
    }

    /**
     * Waits up to {@code grace} for requests in flight to finish, then closes the WebSocket tunnels still
     * open and stops checks, client and meters.
     */
    public void close(Duration grace) {
        health.close();
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        proxy.closeTunnels();
        try {
            proxy.stop();
        } catch (Exception e) {
            // stopping: nothing left to protect
        }
        metrics.close();
    }

    @Override
    public void close() {
        close(Duration.ZERO);
    }
}
