package io.cervella.backup.service;

import io.cervella.backup.config.BackupConfig;
import io.cervella.backup.config.BackupTargetConfig;
import io.cervella.backup.config.Schedule;
import io.cervella.backup.forget.Forgetter;
import io.cervella.backup.prune.Pruner;
import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.repo.RepositoryKeys;
import io.cervella.backup.restore.Restorer;
import io.cervella.backup.run.BackupRunner;
import io.cervella.backup.run.Progress;
import io.cervella.backup.snapshot.Snapshot;
import io.cervella.backup.snapshot.Snapshots;
import io.cervella.backup.verify.Verifier;
import io.cervella.core.blob.BlobStore;
import io.cervella.core.blob.RetryingBlobStore;
import io.cervella.core.config.ConfigException;
import io.cervella.core.crypto.KeySlot;
import io.cervella.core.crypto.Unlock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's backups (issue 6): runs a target now or on its schedule (a snapshot, then the target's
 * keep policy: forget and prune), the restore drill, and what each run did, for /admin/backups and
 * /metrics. A failed or late backup is logged as an error and shows in the metrics (the ops layer's
 * alerts read them).
 */
public final class BackupService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackupService.class);

    private final BackupConfig config;
    private final Path dataDir;
    private final Function<String, String> env;
    private final PlatformSources sources;
    private final Clock clock;
    private final String host;
    private final Instant startedAt;
    private final Map<String, State> states = new LinkedHashMap<>();
    private final DrillState drill = new DrillState();
    private volatile Thread scheduler;

    /** A target's mutable record, read by the metrics. */
    private static final class State {
        final ReentrantLock running = new ReentrantLock();
        volatile Instant lastRun;
        volatile String lastResult = "never";
        volatile String lastError;
        volatile Instant lastSuccess;
        volatile String lastSnapshot;
        volatile long files;
        volatile long bytes;
        volatile long newBytes;
        volatile long durationMs;
        volatile boolean loaded; // lastSuccess read from the repository once
        volatile boolean lateLogged;
        Counter ok;
        Counter failed;
    }

    /** The drill's record. */
    public static final class DrillState {
        volatile Instant lastRun;
        volatile String lastResult = "never";
        volatile String lastError;
        volatile Instant lastSuccess;

        public Instant lastRun() { return lastRun; }
        public String lastResult() { return lastResult; }
        public String lastError() { return lastError; }
        public Instant lastSuccess() { return lastSuccess; }
    }

    public BackupService(BackupConfig config, Path dataDir, Function<String, String> env, PlatformSources sources,
                         MeterRegistry registry, Clock clock, String host) {
        this.config = config;
        this.dataDir = dataDir;
        this.env = env;
        this.sources = sources;
        this.clock = clock;
        this.host = host;
        this.startedAt = clock.instant();
        for (BackupTargetConfig t : config.targets()) {
            State s = new State();
            states.put(t.name(), s);
            String n = t.name();
            Gauge.builder("cervella_backup_last_success_timestamp_seconds", s, x -> x.lastSuccess == null ? 0 : x.lastSuccess.getEpochSecond())
                    .tag("target", n).description("When the target's last successful backup started").register(registry);
            Gauge.builder("cervella_backup_last_duration_seconds", s, x -> x.durationMs / 1000.0).tag("target", n).register(registry);
            Gauge.builder("cervella_backup_last_size_bytes", s, x -> x.bytes).tag("target", n)
                    .description("Bytes the last snapshot holds").register(registry);
            Gauge.builder("cervella_backup_last_new_bytes", s, x -> x.newBytes).tag("target", n)
                    .description("Bytes the last run stored that the repository lacked").register(registry);
            Gauge.builder("cervella_backup_late", s, x -> late(t, x) ? 1 : 0).tag("target", n)
                    .description("1 when the target has had no successful backup for twice its interval").register(registry);
            s.ok = Counter.builder("cervella_backup_runs_total").tag("target", n).tag("result", "ok").register(registry);
            s.failed = Counter.builder("cervella_backup_runs_total").tag("target", n).tag("result", "failed").register(registry);
        }
        Gauge.builder("cervella_backup_drill_last_success_timestamp_seconds", drill, d -> d.lastSuccess == null ? 0 : d.lastSuccess.getEpochSecond())
                .register(registry);
        Gauge.builder("cervella_backup_drill_failed", drill, d -> "failed".equals(d.lastResult) ? 1 : 0).register(registry);
    }

    private boolean late(BackupTargetConfig t, State s) {
        return t.parsedSchedule().late(s.lastSuccess, startedAt, clock.instant());
    }

    /** The secret that opens the repositories, or a clear error naming where it is looked for. */
    private Unlock unlock() {
        return config.unlock().resolve("backup.unlock", BackupConfig.PASSPHRASE_ENV, env).orElseThrow(() ->
                new ConfigException("backup: no secret for the repositories: set " + config.unlock().passphraseEnvOr(BackupConfig.PASSPHRASE_ENV)
                        + " (or backup.unlock.key_file / key_env in the config)"));
    }

    /** Opens a target's repository, making it on the first run. */
    public BackupRepository repository(BackupTargetConfig t, boolean create) throws IOException {
        BlobStore store = RetryingBlobStore.forTargets(t.store().open(dataDir.resolve("backups").resolve(t.name()), env,
                "backup.targets." + t.name() + ".store"));
        Unlock unlock = unlock();
        try {
            if (!BackupRepository.exists(store)) {
                if (!create) {
                    throw new IllegalStateException("target " + t.name() + " (" + t.store().describe(dataDir) + ") holds no repository yet: run a backup first");
                }
                LOG.info("backup target {}: a new repository in {}", t.name(), t.store().describe(dataDir));
                return BackupRepository.create(store, unlock);
            }
            return BackupRepository.open(store, unlock);
        } catch (KeySlot.WrongKeyException e) {
            throw new ConfigException("backup target " + t.name() + ": " + config.unlock().describe(unlock, BackupConfig.PASSPHRASE_ENV)
                    + " opens none of its repository's key slots (wrong password or key); nothing was written");
        }
    }

    /** Runs a backup of {@code target} now, then its keep policy; the snapshot made. */
    public Snapshot run(String target, List<String> tags, Progress progress) throws Exception {
        BackupTargetConfig t = config.target(target);
        State s = states.get(target);
        if (!s.running.tryLock()) {
            throw new IllegalStateException("a backup to " + target + " is running already");
        }
        Instant started = clock.instant();
        s.lastRun = started;
        try {
            BackupRepository repo = repository(t, true);
            Snapshot snap;
            try (AutoCloseable hold = sources.holdMaintenance()) {
                snap = new BackupRunner(repo, host, progress, clock).run(sources.open(), tags);
            }
            s.lastResult = "ok";
            s.lastError = null;
            s.lastSuccess = started;
            s.lastSnapshot = snap.shortId();
            s.files = snap.summary().files();
            s.bytes = snap.summary().bytes();
            s.newBytes = snap.summary().newBytes();
            s.durationMs = clock.millis() - started.toEpochMilli();
            s.lateLogged = false;
            s.ok.increment();
            LOG.info("backup to {}: snapshot {} ({} files, {} bytes, {} new) in {} ms", target, snap.shortId(), s.files, s.bytes,
                    s.newBytes, s.durationMs);
            if (t.keep().policy().isPresent()) {
                try { // the snapshot is saved whatever happens here: a failed forget or prune is tried again next run
                    new Forgetter(repo, host).forget(t.keep().policy().get(), clock.getZone());
                    new Pruner(repo, host).prune();
                } catch (Exception e) {
                    s.lastError = "snapshot " + snap.shortId() + " saved; the keep policy was not applied: " + describe(e);
                    LOG.error("backup to {}: {}", target, s.lastError, e);
                }
            }
            return snap;
        } catch (Exception e) {
            s.lastResult = "failed";
            s.lastError = describe(e);
            s.durationMs = clock.millis() - started.toEpochMilli();
            s.failed.increment();
            LOG.error("backup to {} FAILED: {} (the next run continues where this one stopped)", target, s.lastError,
                    e instanceof IOException ? null : e);
            throw e;
        } finally {
            s.running.unlock();
        }
    }

    /** A failure's message, or its class when it has none. */
    static String describe(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /**
     * The restore drill: the latest snapshot of the drill target restored into a scratch folder, every
     * blob's tag and id checked on the way, the files counted against the snapshot, the folder removed.
     */
    public Restorer.Result drill() throws Exception {
        String target = config.drillTarget() != null ? config.drillTarget()
                : config.targets().stream().findFirst().map(BackupTargetConfig::name)
                .orElseThrow(() -> new IllegalStateException("no backup target to drill"));
        drill.lastRun = clock.instant();
        Path scratch = dataDir.resolve("backups").resolve(".drill-" + clock.millis());
        try {
            BackupRepository repo = repository(config.target(target), false);
            Snapshot latest = Snapshots.find(repo, "latest");
            Restorer.Result r = new Restorer(repo, Progress.NONE).restore(latest, scratch);
            if (r.files() != latest.summary().files() || r.bytes() != latest.summary().bytes()) {
                throw new RepositoryKeys.DamagedException("the drill restored " + r.files() + " files / " + r.bytes()
                        + " bytes; snapshot " + latest.shortId() + " says " + latest.summary().files() + " / " + latest.summary().bytes());
            }
            drill.lastResult = "ok";
            drill.lastError = null;
            drill.lastSuccess = drill.lastRun;
            LOG.info("restore drill of {}: snapshot {} restored and checked ({} files, {} bytes)", target, latest.shortId(), r.files(), r.bytes());
            return r;
        } catch (Exception e) {
            drill.lastResult = "failed";
            drill.lastError = describe(e);
            LOG.error("restore drill of {} FAILED: {}", target, drill.lastError, e instanceof IOException ? null : e);
            throw e;
        } finally {
            Restorer.deleteTree(scratch);
        }
    }

    /** Verifies a target's repository (a share of its packs read whole). */
    public Verifier.Report verify(String target, double readDataPercent) throws IOException {
        return new Verifier(repository(config.target(target), false), Progress.NONE).verify(readDataPercent);
    }

    public List<TargetStatus> status() {
        List<TargetStatus> out = new ArrayList<>();
        Instant now = clock.instant();
        for (BackupTargetConfig t : config.targets()) {
            State s = states.get(t.name());
            Schedule sch = t.parsedSchedule();
            out.add(new TargetStatus(t.name(), t.store().describe(dataDir.resolve("backups").resolve(t.name())),
                    sch.off() ? "off" : t.schedule(), s.lastRun, s.lastResult, s.lastError, s.lastSuccess, s.lastSnapshot, s.files,
                    s.bytes, s.newBytes, s.durationMs, sch.off() ? null : sch.next(s.lastSuccess, now, clock.getZone()),
                    sch.late(s.lastSuccess, startedAt, now), s.running.isLocked()));
        }
        return out;
    }

    public DrillState drillStatus() {
        return drill;
    }

    /** Starts the schedule: every 30 s, the targets that are due are backed up, one at a time. */
    public void start() {
        if (config.targets().stream().allMatch(t -> t.parsedSchedule().off()) && Schedule.parse(config.drill(), "drill").off()) {
            return;
        }
        scheduler = Thread.ofVirtual().name("backup-scheduler").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    tick();
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** One pass of the schedule (tests call it directly). */
    public void tick() {
        Instant now = clock.instant();
        for (BackupTargetConfig t : config.targets()) {
            State s = states.get(t.name());
            Schedule sch = t.parsedSchedule();
            if (sch.off()) {
                continue;
            }
            if (!s.loaded) {
                s.loaded = true;
                try { // after a restart, the schedule goes on from the repository's latest snapshot
                    List<Snapshot> all = Snapshots.list(repository(t, false));
                    if (!all.isEmpty() && s.lastSuccess == null) {
                        s.lastSuccess = Instant.ofEpochMilli(all.getLast().time());
                    }
                } catch (Exception e) {
                    // no repository yet, or unreachable: the run says so
                }
            }
            if (!sch.next(s.lastSuccess, now, clock.getZone()).isAfter(now) && (s.lastRun == null
                    || !"failed".equals(s.lastResult) || s.lastRun.plusSeconds(300).isBefore(now))) {
                try {
                    run(t.name(), List.of("scheduled"), Progress.NONE);
                } catch (Exception e) {
                    // logged and counted by run; tried again in 5 minutes
                }
            }
            if (late(t, s) && !s.lateLogged) {
                s.lateLogged = true;
                LOG.error("backup to {} is LATE: no successful backup since {} (schedule: {})", t.name(),
                        s.lastSuccess == null ? "this server started" : s.lastSuccess, t.schedule());
            }
        }
        Schedule drillSchedule = Schedule.parse(config.drill(), "backup.drill");
        // the first drill one interval after the start: a restart does not set one off
        Instant lastDrill = drill.lastRun == null ? startedAt : drill.lastRun;
        if (!drillSchedule.off() && !config.targets().isEmpty() && !drillSchedule.next(lastDrill, now, clock.getZone()).isAfter(now)) {
            try {
                drill();
            } catch (Exception e) {
                // logged and in the metrics
            }
        }
    }

    @Override
    public void close() {
        Thread t = scheduler;
        if (t != null) {
            t.interrupt();
        }
    }
}
