package io.cervella.app.ops;

import io.cervella.backup.service.BackupService;
import io.cervella.backup.service.TargetStatus;
import io.cervella.core.store.MetadataStore;
import io.cervella.core.tls.PemFiles;
import io.cervella.edge.Edge;
import io.cervella.edge.balance.Upstream;
import io.cervella.edge.config.HostCertificateConfig;
import io.cervella.edge.proxy.HostedApp;
import io.cervella.edge.tls.PlatformCertificate;
import io.cervella.inference.gateway.Backend;
import io.cervella.inference.gateway.ModelRouter;
import io.cervella.ops.facts.FactSource;
import io.cervella.ops.facts.PlatformFacts;
import io.cervella.ops.facts.PlatformFacts.AppFact;
import io.cervella.ops.facts.PlatformFacts.BackendFact;
import io.cervella.ops.facts.PlatformFacts.BackupFact;
import io.cervella.ops.facts.PlatformFacts.CertificateFact;
import io.cervella.ops.facts.PlatformFacts.DeviceFact;
import io.cervella.ops.facts.PlatformFacts.DiskFact;
import io.cervella.ops.facts.PlatformFacts.LayerFact;
import io.cervella.ops.facts.PlatformFacts.State;
import io.cervella.ops.facts.PlatformFacts.UpstreamFact;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The platform's layers as ops sees them, read fresh on every call from the running parts: the
 * gateway's backends, the edge's apps, the backup targets, the vault's devices (from its commits), the
 * certificates the listener presents and the data directory's disk.
 */
public final class LiveFacts implements FactSource {
    private final ModelRouter models;
    private final Supplier<Edge> edge;
    private final BackupService backups;
    private final MetadataStore store;
    private final Supplier<PlatformCertificate> certificate;
    private final List<HostCertificateConfig> hostCertificates;
    private final Path dataDir;
    private final String vaultState;
    private final Clock clock;

    /** {@code vaultState}: null when the vault is open, else why it is not (locked, turned off). */
    public LiveFacts(ModelRouter models, Supplier<Edge> edge, BackupService backups, MetadataStore store,
                     Supplier<PlatformCertificate> certificate, List<HostCertificateConfig> hostCertificates, Path dataDir,
                     String vaultState, Clock clock) {
        this.models = models;
        this.edge = edge;
        this.backups = backups;
        this.store = store;
        this.certificate = certificate;
        this.hostCertificates = List.copyOf(hostCertificates);
        this.dataDir = dataDir;
        this.vaultState = vaultState;
        this.clock = clock;
    }

    @Override
    public PlatformFacts now() {
        List<BackendFact> backends = backends();
        List<AppFact> apps = apps();
        List<TargetStatus> backupStatus = backups.status();
        List<BackupFact> backupFacts = backups(backupStatus);
        boolean storeUp = store.isReachable();
        List<LayerFact> layers = List.of(
                edgeLayer(apps),
                gatewayLayer(backends),
                new LayerFact("memory", storeUp ? State.UP : State.DOWN, storeUp ? "" : "the metadata database does not answer"),
                vaultState == null ? new LayerFact("vault", State.UP, "") : new LayerFact("vault", State.OFF, vaultState),
                backupLayer(backupStatus));
        return new PlatformFacts(clock.instant(), layers, backends, apps, backupFacts, certificates(), disk(),
                storeUp ? devices() : List.of());
    }

    private List<BackendFact> backends() {
        Map<String, List<String>> modelsOf = new LinkedHashMap<>();
        Map<String, Backend> byName = new LinkedHashMap<>();
        for (String model : models.modelNames()) {
            for (Backend b : models.backends(model)) {
                modelsOf.computeIfAbsent(b.name(), k -> new ArrayList<>()).add(model);
                byName.putIfAbsent(b.name(), b);
            }
        }
        List<BackendFact> out = new ArrayList<>();
        byName.forEach((name, b) -> out.add(new BackendFact(name, modelsOf.get(name), b.healthy(),
                b.healthy() ? "" : b.lastError() == null ? "failing health checks" : b.lastError())));
        return out;
    }

    private List<AppFact> apps() {
        Edge e = edge.get();
        if (e == null) {
            return List.of();
        }
        List<AppFact> out = new ArrayList<>();
        for (HostedApp a : e.apps()) {
            List<UpstreamFact> ups = new ArrayList<>();
            for (Upstream u : a.upstreams()) {
                ups.add(new UpstreamFact(u.label(), u.healthy(), // scheme, host, port: never credentials or a query
                        u.breaker().state().name().toLowerCase(Locale.ROOT), u.inFlight()));
            }
            out.add(new AppFact(a.name(), a.healthPath(), ups, a.caFile()));
        }
        return out;
    }

    private static List<BackupFact> backups(List<TargetStatus> status) {
        List<BackupFact> out = new ArrayList<>();
        for (TargetStatus t : status) {
            boolean failed = "failed".equals(t.lastResult());
            out.add(new BackupFact(t.target(), t.lastSuccess(), failed ? t.lastRun() : null, failed ? t.lastError() : null,
                    t.running()));
        }
        return out;
    }

    private static LayerFact edgeLayer(List<AppFact> apps) {
        long down = apps.stream().filter(a -> !a.anyHealthy()).count();
        if (apps.isEmpty()) {
            return new LayerFact("edge", State.UP, "no hosted apps");
        }
        return new LayerFact("edge", down == 0 ? State.UP : State.DEGRADED,
                down == 0 ? "apps up: " + apps.size() : "apps without a healthy upstream: " + down + " of " + apps.size());
    }

    private static LayerFact gatewayLayer(List<BackendFact> backends) {
        long up = backends.stream().filter(BackendFact::healthy).count();
        if (backends.isEmpty()) {
            return new LayerFact("gateway", State.OFF, "no models configured");
        }
        State s = up == backends.size() ? State.UP : up == 0 ? State.DOWN : State.DEGRADED;
        return new LayerFact("gateway", s, "backends healthy: " + up + " of " + backends.size());
    }

    private static LayerFact backupLayer(List<TargetStatus> status) {
        if (status.isEmpty()) {
            return new LayerFact("backups", State.OFF, "no backup targets configured");
        }
        long failed = status.stream().filter(t -> "failed".equals(t.lastResult())).count();
        long late = status.stream().filter(TargetStatus::late).count();
        State s = failed > 0 ? State.DOWN : late > 0 ? State.DEGRADED : State.UP;
        return new LayerFact("backups", s, failed > 0 ? "targets whose last run failed: " + failed
                : late > 0 ? "targets late: " + late : "targets on schedule: " + status.size());
    }

    private List<CertificateFact> certificates() {
        List<CertificateFact> out = new ArrayList<>();
        PlatformCertificate platform = certificate.get();
        if (platform != null) {
            X509Certificate leaf = platform.material().leaf();
            if (platform.certFile() != null) {
                leaf = firstOf(platform.certFile(), leaf); // the file may have been renewed since it was loaded
            }
            out.add(new CertificateFact("platform", leaf.getNotAfter().toInstant()));
        }
        for (HostCertificateConfig h : hostCertificates) {
            X509Certificate c = firstOf(Path.of(h.certFile()), null);
            if (c != null) {
                out.add(new CertificateFact(h.host(), c.getNotAfter().toInstant()));
            }
        }
        return out;
    }

    private static X509Certificate firstOf(Path file, X509Certificate fallback) {
        try {
            List<X509Certificate> chain = PemFiles.readCertificates(file);
            return chain.isEmpty() ? fallback : chain.get(0);
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    private DiskFact disk() {
        try {
            FileStore fs = Files.getFileStore(dataDir);
            return new DiskFact(dataDir.toString(), fs.getTotalSpace(), fs.getUsableSpace());
        } catch (IOException e) {
            return new DiskFact(dataDir.toString(), 0, 0);
        }
    }

    /** Each key that has pushed to the vault, with its latest commit; none when the database fails meanwhile. */
    private List<DeviceFact> devices() {
        try {
            return deviceRows();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private List<DeviceFact> deviceRows() {
        return store.jdbi().withHandle(h -> h.createQuery("""
                        SELECT c.device AS device, k.name AS name, MAX(c.committed_at) AS last
                        FROM vault_commits c LEFT JOIN api_keys k ON k.id = c.device
                        GROUP BY c.device, k.name ORDER BY last DESC""")
                .map((rs, ctx) -> new DeviceFact(rs.getString("device"), rs.getString("name"),
                        Instant.ofEpochMilli(rs.getLong("last"))))
                .list());
    }
}
