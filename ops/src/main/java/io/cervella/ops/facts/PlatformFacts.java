package io.cervella.ops.facts;

import java.time.Instant;
import java.util.List;

/**
 * What the platform's layers say about themselves at one moment: the input of the alert rules, the
 * probes of hosted apps and the dashboard. The app fills it ({@link FactSource}); usage, cost and
 * latency come from the usage ledger instead, which ops reads itself.
 */
public record PlatformFacts(Instant at, List<LayerFact> layers, List<BackendFact> backends, List<AppFact> apps,
                            List<BackupFact> backups, List<CertificateFact> certificates, DiskFact disk,
                            List<DeviceFact> devices) {
    public PlatformFacts {
        layers = List.copyOf(layers);
        backends = List.copyOf(backends);
        apps = List.copyOf(apps);
        backups = List.copyOf(backups);
        certificates = List.copyOf(certificates);
        devices = List.copyOf(devices);
    }

    /** A layer's health as the dashboard shows it: edge, gateway, memory, vault, backups. */
    public record LayerFact(String name, State state, String detail) {}

    public enum State { UP, DEGRADED, DOWN, OFF }

    /** A model backend of the gateway (an embedded engine or a remote server). */
    public record BackendFact(String name, List<String> models, boolean healthy, String detail) {}

    /**
     * A hosted app of the edge and its upstreams; {@code caFile}: the app's PEM file of CAs that its
     * https upstreams are verified against (null: the system's CAs), for the uptime probes.
     */
    public record AppFact(String name, String healthPath, List<UpstreamFact> upstreams, String caFile) {
        public AppFact {
            upstreams = List.copyOf(upstreams);
        }

        public AppFact(String name, String healthPath, List<UpstreamFact> upstreams) {
            this(name, healthPath, upstreams, null);
        }

        public boolean anyHealthy() {
            return upstreams.stream().anyMatch(UpstreamFact::healthy);
        }
    }

    /** {@code circuit}: closed, open or half_open. */
    public record UpstreamFact(String url, boolean healthy, String circuit, int inFlight) {}

    /** A backup target: its last good run and its last failed one (either may be null). */
    public record BackupFact(String target, Instant lastSuccess, Instant lastFailure, String lastError, boolean running) {}

    /** A certificate the listener presents: the platform's, or one of a host name. */
    public record CertificateFact(String name, Instant notAfter) {}

    /** The disk that holds the data directory. */
    public record DiskFact(String path, long totalBytes, long usableBytes) {
        public double usedShare() {
            return totalBytes <= 0 ? 0 : 1.0 - (double) usableBytes / totalBytes;
        }
    }

    /** A device that syncs the vault (its API key) and when it last sent a change. */
    public record DeviceFact(String keyId, String name, Instant lastSync) {}
}
