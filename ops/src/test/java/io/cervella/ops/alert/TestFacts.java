package io.cervella.ops.alert;

import io.cervella.ops.facts.FactSource;
import io.cervella.ops.facts.PlatformFacts;
import io.cervella.ops.facts.PlatformFacts.AppFact;
import io.cervella.ops.facts.PlatformFacts.BackendFact;
import io.cervella.ops.facts.PlatformFacts.BackupFact;
import io.cervella.ops.facts.PlatformFacts.CertificateFact;
import io.cervella.ops.facts.PlatformFacts.DiskFact;
import io.cervella.ops.facts.PlatformFacts.UpstreamFact;
import io.cervella.ops.facts.ProbeFact;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Facts a test changes between evaluations. They start healthy: every backend and upstream up, a
 * backup an hour old, a certificate good for 80 days, the disk half full, the probe up.
 */
final class TestFacts implements FactSource, Supplier<List<ProbeFact>> {
    private final Clock clock;
    final List<BackendFact> backends = new ArrayList<>();
    final List<AppFact> apps = new ArrayList<>();
    final List<BackupFact> backups = new ArrayList<>();
    final List<CertificateFact> certificates = new ArrayList<>();
    final List<ProbeFact> probes = new ArrayList<>();
    volatile DiskFact disk = new DiskFact("/var/lib/cervella", 100L << 30, 50L << 30);

    TestFacts(Clock clock) {
        this.clock = clock;
        backends.add(new BackendFact("gpu-1", List.of("cervella-baby"), true, "ok"));
        apps.add(new AppFact("miracollo", "/health", List.of(
                new UpstreamFact("http://10.0.0.5:9001", true, "closed", 0),
                new UpstreamFact("http://10.0.0.6:9001", true, "closed", 0))));
        backups.add(new BackupFact("usb", clock.instant().minus(Duration.ofHours(1)), null, null, false));
        certificates.add(new CertificateFact("cervella.team.example", clock.instant().plus(Duration.ofDays(80))));
        probes.add(new ProbeFact("status-page", "https://status.example/?token=PROBESECRET", true, clock.instant(), null));
    }

    synchronized void backend(String name, boolean healthy, String detail) {
        backends.removeIf(b -> b.name().equals(name));
        backends.add(new BackendFact(name, List.of("cervella-baby"), healthy, detail));
    }

    @Override
    public synchronized PlatformFacts now() {
        return new PlatformFacts(clock.instant(), List.of(), backends, apps, backups, certificates, disk, List.of());
    }

    @Override
    public synchronized List<ProbeFact> get() {
        return List.copyOf(probes);
    }
}
