package io.cervella.app;

import io.cervella.app.admin.AdminEndpoints;
import io.cervella.app.admin.OpsEndpoints;
import io.cervella.app.server.ApiDispatcher;
import io.cervella.app.server.HttpsServer;
import io.cervella.core.config.ConfigException;
import io.cervella.core.http.Route;
import io.cervella.core.keys.KeyRepository;
import io.cervella.core.keys.KeyService;
import io.cervella.core.keys.Scope;
import io.cervella.core.store.MetadataStore;
import io.cervella.core.tls.LocalCertificateAuthority;
import io.cervella.core.tls.PemFiles;
import io.cervella.core.tls.TlsContexts;
import io.cervella.core.tls.TlsMaterial;
import io.cervella.inference.gateway.Backend;
import io.cervella.core.usage.UsageLedger;
import io.cervella.inference.gateway.Gateway;
import io.cervella.inference.limits.KeyLimiter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import io.cervella.memory.IndexFollower;
import io.cervella.memory.MemoryService;
import io.cervella.memory.api.AskEndpoint;
import io.cervella.memory.api.EmbeddingsEndpoint;
import io.cervella.memory.ask.AskService;
import io.cervella.memory.api.MemoryEndpoints;
import io.cervella.memory.chunk.MarkdownChunker;
import io.cervella.memory.store.MemoryStore;
import io.cervella.memory.embedding.EmbeddingModel;
import io.cervella.memory.embedding.EmbeddingModels;
import io.cervella.memory.ingest.FolderSync;
import io.cervella.app.admin.BackupEndpoints;
import io.cervella.app.backup.PlatformBackupSources;
import io.cervella.backup.service.BackupService;
import io.cervella.vault.VaultStartup;
import io.cervella.vault.api.VaultEndpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of {@code cervella serve}: builds every part with {@code new}, in dependency
 * order, starts them, and closes them in reverse. Nothing else wires objects together.
 */
public final class Platform implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Platform.class);

    private final List<AutoCloseable> started = new ArrayList<>();
    private volatile boolean draining;
    /** The unlocked vault, whose long polls a stop ends at once; null while locked. */
    private io.cervella.vault.VaultService vaultService;
    private HttpsServer server;
    private Gateway gateway;
    private final List<EmbeddedWorker> workers = new ArrayList<>();
    private java.time.Duration shutdownGrace = java.time.Duration.ZERO;
    private KeyService keys;
    private Path caFile;
    private String adminKey;
    private io.cervella.edge.Edge edge;
    private io.cervella.ops.audit.AuditLog auditLog;
    private io.cervella.ops.audit.AuditRecorder audit;
    private java.util.function.Supplier<CervellaConfig> configSource = () -> {
        throw new io.cervella.core.config.ConfigException("this server was started without a config file to re-read");
    };

    private Platform() {}

    /** Where {@link #reload} reads the config again (the file the server started with). */
    public void configSource(java.util.function.Supplier<CervellaConfig> source) {
        this.configSource = source;
    }

    /** Reads the config again and applies its edge section; a bad file throws and changes nothing. */
    public io.cervella.edge.Edge.ReloadResult reload() throws Exception {
        return reload(io.cervella.ops.audit.AuditActions.ACTOR_LOCAL);
    }

    /** As {@link #reload()}, on behalf of {@code actor} (a key id, or 'signal'): written to the audit log. */
    public io.cervella.edge.Edge.ReloadResult reload(String actor) throws Exception {
        io.cervella.edge.Edge.ReloadResult r = edge.reload(configSource.get().edge());
        audit.record(actor, io.cervella.ops.audit.AuditActions.CONFIG_RELOAD, "", java.util.Map.of("apps", r.apps(),
                "applied_at_next_start", r.atNextStart()));
        return r;
    }

    /** Starts the whole platform; on any failure closes what was started and rethrows. */
    public static Platform start(CervellaConfig config, DataDirectory data, Function<String, String> env) throws Exception {
        Platform p = new Platform();
        try {
            p.startAll(config, data, env);
            return p;
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
    }

    private void startAll(CervellaConfig config, DataDirectory data, Function<String, String> env) throws Exception {
        Files.createDirectories(data.root());
        io.cervella.edge.tls.PlatformCertificate tls = tlsMaterial(config, data);

        MetadataStore store = data.openStore(config.database());
        started.add(store);
        keys = new KeyService(new KeyRepository(store), Clock.systemUTC());
        adminKey = ensureAdminKey(data.adminKey(), keys);
        auditLog = new io.cervella.ops.audit.AuditLog(store, Clock.systemUTC());
        audit = new io.cervella.ops.audit.AuditRecorder(auditLog);

        UsageLedger ledger = new UsageLedger(store);
        started.add(ledger);

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);

        KeyLimiter limiter = new KeyLimiter(ledger.spendByKey());
        boolean embedded = config.models().stream().flatMap(m -> m.backends().stream())
                .anyMatch(b -> b.type().equals("embedded"));
        // The core's own workers serve with the local CA's server certificate; the gateway trusts that CA.
        LocalCertificateAuthority internalCa = new LocalCertificateAuthority(data.tls(), Clock.systemUTC());
        if (embedded && caFile == null) {
            internalCa.ensure(LocalCertificateAuthority.defaultNames(List.of()));
        }
        gateway = new Gateway(config.models(), config.gateway(), env, limiter, ledger, registry,
                embedded ? TlsContexts.clientTrusting(internalCa.caCertificateFile()) : null);
        started.add(gateway);
        gateway.start();
        for (Backend b : gateway.router().embeddedBackends()) {
            EmbeddedWorker worker = new EmbeddedWorker(b, internalCa.serverCertificateFile(),
                    internalCa.serverKeyFile());
            workers.add(worker);
            started.add(worker);
            worker.start();
        }

        // Embedding models (the built-in all-MiniLM-L6-v2 and those of memory.embedding_models), each loaded
        // on first use: /v1/embeddings and the memory.
        List<EmbeddingModel> embeddingModels = EmbeddingModels.fromConfig(config.memory(), env);
        embeddingModels.forEach(started::add);

        List<Route> routes = new ArrayList<>();
        routes.addAll(new OpsEndpoints(store, gateway.router(), registry, () -> draining).routes());
        routes.addAll(gateway.routes());
        routes.addAll(new EmbeddingsEndpoint(embeddingModels, ledger).routes());
        // Chunks of at most 480 characters (plus 80 of overlap): about the 128 tokens the default model reads.
        MemoryService memory = new MemoryService(new MemoryStore(store), data.memory(), embeddingModels,
                new MarkdownChunker(480, 80));
        started.add(memory);
        routes.addAll(new MemoryEndpoints(memory).routes());
        routes.addAll(new AskEndpoint(new AskService(memory, gateway.chatModels(), config.memory().chatModel())).routes());
        IndexFollower follower = new IndexFollower(memory,
                java.time.Duration.ofMillis((long) (config.memory().followIntervalSeconds() * 1000)));
        started.add(follower);
        follower.start();
        FolderSync folders = new FolderSync(memory, config.memory().folders());
        started.add(folders);
        folders.start();
        // The vault: unlocked by the operator's secret (created with it on the first start), else locked (503).
        VaultStartup vault = VaultStartup.open(config.vault(), data.vault(), store, env, Clock.systemUTC());
        started.add(vault);
        switch (vault) {
            case VaultStartup.Unlocked u -> {
                LOG.info("vault {} {} ({} commits)", u.repository().vaultId(), u.created() ? "created" : "opened", u.service().head());
                io.cervella.core.tls.CryptoWarmup.start(io.cervella.core.tls.CryptoWarmup.SERVER, u.service().warmup()); // TLS and the vault fast from the first upload
                routes.addAll(VaultEndpoints.open(u.service(), config.server().maxBodyBytes(), config.vault().retention().policy(), audit).routes());
                vaultService = u.service();
            }
            case VaultStartup.Locked l -> {
                io.cervella.core.tls.CryptoWarmup.start(io.cervella.core.tls.CryptoWarmup.SERVER, null);
                LOG.info("vault: {}", l.reason());
                routes.addAll(VaultEndpoints.locked(l.reason()).routes());
            }
        }
        routes.addAll(new AdminEndpoints(keys, ledger, audit).routes());
        // Backups: the platform's snapshot to each configured target, on its schedule, and the restore drill.
        BackupService backups = new BackupService(config.backup(), data.root(), env, new PlatformBackupSources(data, config, env, store,
                vault instanceof VaultStartup.Unlocked u ? u.service() : null), registry, Clock.systemDefaultZone(), hostName());
        started.add(backups);
        routes.addAll(new BackupEndpoints(backups).routes());
        backups.start();
        routes.addAll(new io.cervella.app.admin.ReloadEndpoint(this::reload).routes());

        // The edge: hosted apps, firewall, rate limits (in PostgreSQL when nodes share it), slow-client limits.
        edge = new io.cervella.edge.Edge(config.edge(), data.root(), registry, keys,
                store.dialect() == MetadataStore.Dialect.POSTGRESQL ? store.dataSource() : null);
        started.add(edge);

        // Ops: the dashboard at /ui/ (the layers' state through LiveFacts, usage and cost from the ledger).
        io.cervella.ops.config.OpsConfig ops = config.ops().withSecrets(env);
        io.cervella.app.ops.LiveFacts facts = new io.cervella.app.ops.LiveFacts(gateway.router(), () -> edge, backups, store,
                () -> tls, config.edge().certificates(), data.root(),
                vault instanceof VaultStartup.Locked l ? l.reason() : null, Clock.systemUTC());
        io.cervella.ops.ui.DashboardSessions sessions = new io.cervella.ops.ui.DashboardSessions(store, Clock.systemUTC(),
                java.time.Duration.ofHours(ops.sessionHours()));
        new io.cervella.app.ops.LayerGauges(store, Clock.systemUTC()).bindTo(registry, vault instanceof VaultStartup.Unlocked,
                ops.budgetUsdPerMonth());
        // Uptime probes of the hosted apps and the configured URLs; their results are shared by the nodes.
        io.cervella.ops.probe.UptimeProbes probes = new io.cervella.ops.probe.UptimeProbes(ops.probes(), store, facts, registry,
                Clock.systemUTC(), hostName());
        started.add(probes);
        routes.addAll(new io.cervella.ops.api.ProbeEndpoints(probes).routes());
        routes.addAll(new io.cervella.ops.api.AuditEndpoints(auditLog).routes());
        io.micrometer.core.instrument.FunctionCounter.builder("cervella.audit.failures", audit, io.cervella.ops.audit.AuditRecorder::failures)
                .description("admin actions whose audit entry could not be written").register(registry);
        // Alerts: the rules every interval against the same facts, one message per change (state shared by the nodes).
        io.cervella.ops.alert.AlertEngine alerts = new io.cervella.ops.alert.AlertEngine(ops, store, facts, probes::current, registry,
                Clock.systemUTC(), hostName());
        started.add(alerts);
        routes.addAll(new io.cervella.ops.api.AlertEndpoints(alerts).routes());
        io.cervella.ops.ui.DashboardOverview overview = new io.cervella.ops.ui.DashboardOverview(ops, facts,
                new io.cervella.ops.ui.LedgerViews(store), probes::summaries, new io.cervella.ops.ui.EngineAlertFeed(alerts), Clock.systemUTC(),
                new io.cervella.app.ops.PlanAdvisor(config.planner(), ledger, Clock.systemUTC()));
        routes.addAll(new io.cervella.ops.ui.DashboardEndpoints(keys, keys::byId, sessions, overview).routes());

        // Streams get an orderly end a little before Jetty's stop timeout cuts connections.
        shutdownGrace = java.time.Duration.ofMillis(Math.max(0, config.server().shutdownTimeoutSeconds() * 1000L - 1500));
        server = new HttpsServer(config.server(), tls,
                new ApiDispatcher(routes, keys, registry, config.server().maxBodyBytes(), edge::tryKey), edge);
        server.start();
        started.add(server);
        probes.start();
        alerts.start();

        Thread refresher = Thread.ofVirtual().name("key-refresh").start(() -> refreshKeys(keys));
        started.add(refresher::interrupt);
    }

    /** This machine's name, for backup snapshots and locks. */
    public static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** The listener's default certificate: the operator's files (watched for changes), else the local CA's. */
    private io.cervella.edge.tls.PlatformCertificate tlsMaterial(CervellaConfig config, DataDirectory data) throws IOException {
        if (config.tls().operatorProvided()) {
            Path cert = Path.of(config.tls().certFile());
            Path key = Path.of(config.tls().keyFile());
            try {
                return io.cervella.edge.tls.PlatformCertificate.fromFiles(cert, key);
            } catch (IOException e) {
                throw new ConfigException("tls: " + e.getMessage(), e);
            }
        }
        LocalCertificateAuthority ca = new LocalCertificateAuthority(data.tls(), Clock.systemUTC());
        List<String> extra = new ArrayList<>(config.server().hostnames());
        String bind = config.server().bind();
        if (!bind.equals("0.0.0.0") && !bind.equals("::")) {
            extra.add(bind);
        }
        TlsMaterial material = ca.ensure(LocalCertificateAuthority.defaultNames(extra));
        caFile = ca.caCertificateFile();
        return io.cervella.edge.tls.PlatformCertificate.fixed(material);
    }

    /** Reads DATA/admin.key, or makes it (mode 0600) with a new admin key on first start. */
    static String ensureAdminKey(Path file, KeyService keys) throws IOException {
        if (Files.exists(file)) {
            String key = Files.readString(file, StandardCharsets.US_ASCII).strip();
            try {
                keys.ensure(key, "admin", EnumSet.of(Scope.ADMIN));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file + ": " + e.getMessage());
            }
            return key;
        }
        KeyService.CreatedKey created = keys.create("admin", Set.of(Scope.ADMIN), null, null, null);
        PemFiles.writeSecret(file, created.plaintext() + "\n");
        return created.plaintext();
    }

    private static void refreshKeys(KeyService keys) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(5_000);
                keys.refresh();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("could not refresh API keys from the database: {}", e.getMessage());
            }
        }
    }

    public int port() { return server.port(); }

    /** The plain-HTTP port that redirects to HTTPS ({@code edge.http_redirect_port}), or -1. */
    public int redirectPort() { return server.redirectPort(); }

    /** The local CA certificate, or null when the operator gave their own certificate. */
    public Path caFile() { return caFile; }

    public String adminKey() { return adminKey; }

    public KeyService keys() { return keys; }

    /** The worker processes of embedded backends (for tests and the ops layer). */
    public List<Process> workerProcesses() {
        return workers.stream().map(EmbeddedWorker::process).filter(java.util.Objects::nonNull).toList();
    }

    public Gateway gateway() { return gateway; }

    @Override
    public void close() {
        draining = true;
        if (gateway != null) {
            gateway.beginShutdown(shutdownGrace);
        }
        if (vaultService != null) {
            vaultService.endLongPolls(); // a watching device's poll would otherwise hold the stop for up to a minute
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                LOG.warn("error while stopping: {}", e.toString());
            }
        }
        started.clear();
    }
}
