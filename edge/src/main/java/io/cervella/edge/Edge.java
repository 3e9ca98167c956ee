package io.cervella.edge;

import io.cervella.core.keys.Authenticator;
import io.cervella.edge.config.EdgeConfig;
import io.cervella.edge.guard.ConnectionGuard;
import io.cervella.edge.guard.Firewall;
import io.cervella.edge.guard.RateLimiter;
import io.cervella.edge.net.CidrSet;
import io.cervella.edge.net.ClientAddress;
import io.cervella.edge.observe.JsonAccessLog;
import io.cervella.edge.observe.Rejections;
import io.cervella.edge.proxy.AppRoutes;
import io.cervella.edge.proxy.EdgeHandler;
import io.cervella.edge.proxy.HostedApp;
import io.cervella.edge.tls.ListenerCertificates;
import io.cervella.edge.tls.ListenerTls;
import io.cervella.edge.tls.PlatformCertificate;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge of one node, put together: what it adds to the listener (connection limits, the header
 * timeout, data rates, the access log) and the handler in front of the platform's API (firewall, rate
 * limits, the request queue, the hosted apps). {@link #reload} swaps the firewall, the limits and the
 * apps without touching open connections: requests under way finish on the apps they started on.
 */
public final class Edge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Edge.class);
    /** How long a replaced app may finish its requests before its connections are closed. */
    private static final Duration DRAIN = Duration.ofSeconds(30);

    private final EdgeConfig config;
    private final Path dataDir;
    private final MeterRegistry registry;
    private final Authenticator keys;
    private final DataSource sharedBuckets;
    private final ClientAddress clients;
    private final Rejections rejections;
    private final io.cervella.edge.observe.UpstreamGauges gauges;
    private Server server;
    private EdgeHandler handler;
    private ConnectionGuard guard;
    private ListenerTls tls;
    private EdgeConfig current;

    /** {@code sharedBuckets}: PostgreSQL for rate-limit buckets shared by nodes, or null for this node's memory. */
    public Edge(EdgeConfig config, Path dataDir, MeterRegistry registry, Authenticator keys, DataSource sharedBuckets) {
        this.config = config;
        this.current = config;
        this.dataDir = dataDir;
        this.registry = registry;
        this.keys = keys;
        this.sharedBuckets = sharedBuckets;
        this.clients = new ClientAddress(CidrSet.parse(config.trustedProxies()));
        this.rejections = new Rejections(registry);
        this.gauges = new io.cervella.edge.observe.UpstreamGauges(registry);
    }

    /** Listener settings that stay until restart: slow-client rates and header sizes. */
    public void configure(HttpConfiguration http) {
        http.setMinRequestDataRate(config.limits().minRequestBytesPerSecond());
        http.setMinResponseDataRate(config.limits().minResponseBytesPerSecond());
        http.setRequestHeaderSize(config.limits().maxRequestHeaderBytes());
    }

    /**
     * The listener's TLS: the platform's certificate, and by SNI each host's of {@code certificates};
     * all read again when their files change (and at {@link #reload}).
     */
    public SslContextFactory.Server tls(PlatformCertificate platform) throws java.io.IOException {
        tls = new ListenerTls(platform, config.certificates());
        return tls.factory();
    }

    /** The plain-HTTP port that redirects to HTTPS (0: any free one), or null for none. */
    public Integer httpRedirectPort() {
        return config.httpRedirectPort();
    }

    /** Connection limits (all, and per address with the header timeout) and the access log on the server. */
    public void attach(Server server, ServerConnector... connectors) throws java.io.IOException {
        this.server = server;
        server.addBean(new NetworkConnectionLimit(config.limits().maxConnections(), connectors));
        guard = new ConnectionGuard(config.limits().maxConnectionsPerIp(),
                Duration.ofSeconds(config.limits().headerTimeoutSeconds()), CidrSet.parse(config.trustedProxies()));
        for (ServerConnector c : connectors) {
            c.addBean(guard);
        }
        FunctionCounter.builder("cervella.edge.connections.refused", guard, ConnectionGuard::refused)
                .description("sockets closed at once: too many from one address").register(registry);
        FunctionCounter.builder("cervella.edge.connections.header.timeouts", guard, ConnectionGuard::timedOut)
                .description("sockets closed for taking too long over the TLS handshake or request headers").register(registry);
        Gauge.builder("cervella.edge.connections.open", guard, ConnectionGuard::open)
                .description("open client sockets").register(registry);
        Path log = dataDir.resolve(config.accessLog());
        Files.createDirectories(log.toAbsolutePath().getParent());
        io.cervella.edge.observe.AccessLogFile writer = new io.cervella.edge.observe.AccessLogFile(log.toString(), 14);
        server.addBean(writer, true); // started and stopped with the server
        FunctionCounter.builder("cervella.edge.access.log.dropped", writer, io.cervella.edge.observe.AccessLogFile::dropped)
                .description("access-log lines dropped because the disk could not keep up").register(registry);
        server.setRequestLog(new JsonAccessLog(writer, clients));
    }

    /** The handler in front of {@code api}; starts the apps' proxies and health checks. */
    public Handler handler(Handler api) throws Exception {
        handler = new EdgeHandler(state(config, null, null), clients, keys, api, config.limits().maxConcurrentRequests(),
                config.limits().maxQueuedRequests(), Duration.ofSeconds(config.limits().queueTimeoutSeconds()), rejections);
        return handler;
    }

    /**
     * The state for config {@code c}. An app whose config did not change is kept as it runs (its health,
     * breakers, open WebSockets and metrics go on); so are the rate limiter's buckets when its settings did not.
     */
    private EdgeHandler.State state(EdgeConfig c, EdgeConfig previousConfig, EdgeHandler.State previous) throws Exception {
        RateLimiter limiter = previous != null && c.rateLimits().equals(previousConfig.rateLimits()) ? previous.limiter()
                : sharedBuckets != null && !"local".equals(c.rateLimits().store())
                ? RateLimiter.postgres(c.rateLimits(), sharedBuckets)
                : RateLimiter.local(c.rateLimits());
        List<HostedApp> apps = new ArrayList<>();
        List<HostedApp> fresh = new ArrayList<>();
        try {
            for (var a : c.apps()) {
                HostedApp kept = previous == null ? null : previous.apps().all().stream()
                        .filter(old -> old.config().equals(a)).findFirst().orElse(null);
                if (kept != null) {
                    apps.add(kept);
                    continue;
                }
                HostedApp app = new HostedApp(a, clients, registry, gauges, server);
                fresh.add(app);
                apps.add(app);
                app.start();
            }
        } catch (Exception | Error e) {
            fresh.forEach(HostedApp::close);
            throw e;
        }
        String hsts = c.hsts() ? "max-age=" + c.hstsMaxAgeSeconds() + "; includeSubDomains" : null;
        return new EdgeHandler.State(new Firewall(c.firewall()), limiter, new AppRoutes(apps), hsts);
    }

    /**
     * Applies a new edge config: apps, firewall, rate limits, HSTS and the certificates (their files read
     * again) now; listener settings (connection limits, header timeout, data rates, the redirect port) at
     * the next start, as the result says.
     */
    public synchronized ReloadResult reload(EdgeConfig next) throws Exception {
        // every certificate file is read before anything changes: a bad one fails the whole reload
        ListenerCertificates certificates = tls == null ? null : tls.read(next.certificates());
        EdgeHandler.State old = handler.state();
        EdgeHandler.State fresh = state(next, current, old);
        handler.state(fresh);
        if (tls != null) {
            tls.use(next.certificates(), certificates);
        }
        List<String> later = new ArrayList<>();
        if (!next.limits().equals(current.limits())) {
            later.add("limits");
        }
        if (!java.util.Objects.equals(next.httpRedirectPort(), current.httpRedirectPort())) {
            later.add("http_redirect_port");
        }
        if (!next.trustedProxies().equals(current.trustedProxies())) {
            later.add("trusted_proxies");
        }
        if (!next.accessLog().equals(current.accessLog())) {
            later.add("access_log");
        }
        current = next;
        List<HostedApp> retired = old.apps().all().stream().filter(a -> !fresh.apps().all().contains(a)).toList();
        if (!retired.isEmpty()) {
            Thread.ofVirtual().name("edge-retire-apps").start(() -> retired.forEach(a -> a.close(DRAIN)));
        }
        LOG.info("edge reloaded: {} apps{}", fresh.apps().all().size(),
                later.isEmpty() ? "" : "; applied at the next start: " + String.join(", ", later));
        return new ReloadResult(fresh.apps().all().stream().map(HostedApp::name).toList(), later);
    }

    /** What a reload did: the apps now served, and the settings that wait for a restart. */
    public record ReloadResult(List<String> apps, List<String> atNextStart) {}

    /** The per-key rate limit of the current config, for the platform's own API: empty to go on, else seconds to wait. */
    public java.util.OptionalLong tryKey(String keyId) {
        return handler == null ? java.util.OptionalLong.empty() : handler.state().limiter().tryKey(keyId);
    }

    /** The apps being served now (for the admin API and tests). */
    public List<HostedApp> apps() {
        return handler == null ? List.of() : handler.state().apps().all();
    }

    @Override
    public void close() {
        if (handler != null) {
            handler.state().apps().all().forEach(HostedApp::close);
        }
        if (guard != null) {
            guard.close();
        }
        if (tls != null) {
            tls.close();
        }
    }
}
