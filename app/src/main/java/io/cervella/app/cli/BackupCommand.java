package io.cervella.app.cli;

import io.cervella.app.CervellaConfig;
import io.cervella.app.DataDirectory;
import io.cervella.app.Main;
import io.cervella.app.Platform;
import io.cervella.app.backup.PlatformBackupSources;
import io.cervella.backup.config.BackupConfig;
import io.cervella.backup.config.BackupTargetConfig;
import io.cervella.backup.config.KeepConfig;
import io.cervella.backup.forget.Forgetter;
import io.cervella.backup.forget.KeepPolicy;
import io.cervella.backup.prune.Pruner;
import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.snapshot.Snapshot;
import io.cervella.backup.snapshot.Snapshots;
import io.cervella.backup.service.BackupService;
import io.cervella.backup.verify.Verifier;
import io.cervella.core.config.BlobStoreConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cervella backup run|list|verify|forget|prune}: the platform's snapshots in a backup repository,
 * a target of the config ({@code --target}) or one named here ({@code --repo FOLDER} or
 * {@code --repo s3://BUCKET/PREFIX}), opened with CERVELLA_BACKUP_PASSPHRASE (or backup.unlock).
 */
@Command(name = "backup", mixinStandardHelpOptions = true, description = "Back the platform up; list, verify, forget and prune snapshots.",
        subcommands = {BackupCommand.Run.class, BackupCommand.ListSnapshots.class, BackupCommand.Verify.class,
            BackupCommand.Forget.class, BackupCommand.Prune.class})
public final class BackupCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (run, list, verify, forget, prune)");
    }

    /** Where the repository is, shared by every subcommand and by restore. */
    abstract static class RepositoryTask implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--data", description = "the data directory (default ./cervella-data)")
        Path data = Path.of("cervella-data");

        @Option(names = "--config", description = "the config file (default DATA/cervella.yaml)")
        Path config;

        @Option(names = "--target", description = "a target of backup.targets in the config (default: the first)")
        String target;

        @Option(names = "--repo", description = "a repository not in the config: a folder, or s3://BUCKET/PREFIX")
        String repo;

        @Option(names = "--s3-endpoint", description = "with --repo s3://...: the S3 API's URL (MinIO, R2, B2...; default AWS)")
        String s3Endpoint;

        @Option(names = "--s3-region", description = "with --repo s3://...: the region (default us-east-1)")
        String s3Region;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        CervellaConfig loadConfig() {
            return java.nio.file.Files.isDirectory(data) || config != null ? CervellaConfig.load(config, data) : CervellaConfig.defaults();
        }

        /** The backup section with the chosen target first: the config's, or one made of --repo. */
        BackupConfig backupConfig(CervellaConfig cfg) {
            if (repo != null && target != null) {
                throw new IllegalArgumentException("give --target or --repo, not both");
            }
            if (repo == null) {
                if (cfg.backup().targets().isEmpty()) {
                    throw new IllegalArgumentException("no backup target: give --repo FOLDER or --repo s3://BUCKET/PREFIX,"
                            + " or add backup.targets to the config");
                }
                return cfg.backup();
            }
            BlobStoreConfig store;
            if (repo.startsWith("s3://")) {
                String rest = repo.substring(5);
                int slash = rest.indexOf('/');
                store = new BlobStoreConfig("s3", null, s3Endpoint, s3Region, slash < 0 ? rest : rest.substring(0, slash),
                        slash < 0 ? "" : rest.substring(slash + 1), null, null);
            } else {
                store = BlobStoreConfig.folder(Path.of(repo).toAbsolutePath());
            }
            return new BackupConfig(cfg.backup().unlock(), List.of(new BackupTargetConfig("cli", store, null, null)), null, null);
        }

        String targetName(BackupConfig b) {
            return target != null ? target : b.targets().getFirst().name();
        }

        BackupService service(CervellaConfig cfg, BackupConfig b) {
            return service(cfg, b, null);
        }

        /** {@code store}: the metadata store, when the run exports PostgreSQL through it. */
        BackupService service(CervellaConfig cfg, BackupConfig b, io.cervella.core.store.MetadataStore store) {
            DataDirectory dir = new DataDirectory(data);
            return new BackupService(b, data, System::getenv, new PlatformBackupSources(dir, cfg, System::getenv, store, null),
                    new SimpleMeterRegistry(), Clock.systemDefaultZone(), Platform.hostName());
        }

        BackupRepository repository(boolean create) throws Exception {
            CervellaConfig cfg = loadConfig();
            BackupConfig b = backupConfig(cfg);
            return service(cfg, b).repository(b.target(targetName(b)), create);
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Take a snapshot of the platform now (the repository is made on the first run); with --server, the running server takes it.")
    static final class Run extends RepositoryTask {
        @Option(names = "--tag", description = "a tag for the snapshot (repeatable)")
        List<String> tags = List.of();

        @Option(names = "--server", description = "a running server's URL: it backs up to its --target (env CERVELLA_SERVER)")
        String server;

        @Option(names = "--key", description = "with --server: an admin key (env CERVELLA_KEY)")
        String key;

        @Option(names = "--cacert", description = "with --server: the CA to trust, e.g. DATA/tls/ca.pem (env CERVELLA_CACERT)")
        Path cacert;

        @Override
        public Integer call() throws Exception {
            String url = server != null ? server : System.getenv("CERVELLA_SERVER");
            if (url != null) {
                return remote(url);
            }
            if (!java.nio.file.Files.isDirectory(data)) {
                throw new IllegalArgumentException("--data " + data + ": no such directory");
            }
            io.cervella.core.tls.CryptoWarmup.start(java.util.EnumSet.of(io.cervella.core.tls.CryptoWarmup.Use.ENCRYPT_ARRAYS), null); // AES-GCM compiled to its intrinsics before the first blob
            CervellaConfig cfg = loadConfig();
            BackupConfig b = backupConfig(cfg);
            String name = targetName(b);
            boolean postgres = cfg.database().url() != null && cfg.database().url().startsWith("jdbc:postgresql:");
            Snapshot s;
            try (io.cervella.core.store.MetadataStore store = postgres ? LocalData.open(data) : null) {
                s = service(cfg, b, store).run(name, tags, new ProgressBar(err(), "backup"));
            }
            out().printf("snapshot %s saved to %s: %d files, %s, %s new, in %.1f s%n", s.shortId(), name, s.summary().files(),
                    ProgressBar.bytes(s.summary().bytes()), ProgressBar.bytes(s.summary().newBytes()), s.summary().durationMs() / 1000.0);
            return 0;
        }

        /**
         * The running server backs up (POST /admin/backups/run): it holds the vault's prune off meanwhile,
         * which a second process cannot. Waits for the run's end, and reports it.
         */
        private int remote(String url) throws InterruptedException {
            if (repo != null) {
                throw new IllegalArgumentException("--repo and --server exclude each other: the server backs up to its configured targets");
            }
            String k = key != null ? key : System.getenv("CERVELLA_KEY");
            if (k == null) {
                throw new IllegalArgumentException("--key (or CERVELLA_KEY), an admin key, is required with --server");
            }
            String ca = System.getenv("CERVELLA_CACERT");
            ServerClient c = new ServerClient(url, k, cacert != null ? cacert : ca == null ? null : Path.of(ca));
            tools.jackson.databind.JsonNode targets = c.get("/admin/backups").path("targets");
            if (targets.isEmpty()) {
                throw new Main.CliFailure("the server has no backup target (backup.targets in its config)");
            }
            String name = target != null ? target : targets.get(0).path("target").asString();
            String before = "";
            for (tools.jackson.databind.JsonNode t : targets) {
                if (t.path("target").asString().equals(name)) {
                    before = t.path("last_run").asString("");
                }
            }
            var body = io.cervella.core.http.Json.object();
            body.put("target", name);
            c.post("/admin/backups/run", body);
            err().printf("backup to %s started on %s%n", name, url);
            while (true) {
                Thread.sleep(500);
                for (tools.jackson.databind.JsonNode t : c.get("/admin/backups").path("targets")) {
                    if (!t.path("target").asString().equals(name) || t.path("running").asBoolean()
                            || t.path("last_run").asString("").equals(before)) {
                        continue;
                    }
                    if (!t.path("last_result").asString().equals("ok")) {
                        throw new Main.CliFailure("the backup to " + name + " failed: " + t.path("last_error").asString(""));
                    }
                    out().printf("snapshot %s saved to %s: %d files, %s, %s new, in %.1f s%n", t.path("last_snapshot").asString(), name,
                            t.path("files").asLong(), ProgressBar.bytes(t.path("bytes").asLong()),
                            ProgressBar.bytes(t.path("new_bytes").asLong()), t.path("duration_ms").asLong() / 1000.0);
                    if (!t.path("last_error").isNull() && !t.path("last_error").asString("").isEmpty()) {
                        out().println("note: " + t.path("last_error").asString());
                    }
                    return 0;
                }
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The repository's snapshots, oldest first.")
    static final class ListSnapshots extends RepositoryTask {
        @Override
        public Integer call() throws Exception {
            Table t = new Table("ID", "TIME", "HOST", "FILES", "SIZE", "NEW", "TAGS");
            for (Snapshot s : Snapshots.list(repository(false))) {
                t.add(s.shortId(), Instant.ofEpochMilli(s.time()).toString(), s.host(), Long.toString(s.summary().files()),
                        ProgressBar.bytes(s.summary().bytes()), ProgressBar.bytes(s.summary().newBytes()), String.join(",", s.tags()));
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Check the repository; --read-data reads a share of it back whole.")
    static final class Verify extends RepositoryTask {
        @Option(names = "--read-data", description = "the share of packs to read whole and check blob by blob, e.g. 10% (default 0%, 100% for all)")
        String readData = "0%";

        @Override
        public Integer call() throws Exception {
            String p = readData.strip().endsWith("%") ? readData.strip().substring(0, readData.strip().length() - 1) : readData.strip();
            double percent;
            try {
                percent = Double.parseDouble(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--read-data is a percentage, e.g. 10%: " + readData);
            }
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("--read-data is between 0% and 100%: " + readData);
            }
            io.cervella.core.tls.CryptoWarmup.start(java.util.EnumSet.of(io.cervella.core.tls.CryptoWarmup.Use.DECRYPT_ARRAYS), null); // AES-GCM compiled to its intrinsics before the first blob
            Verifier.Report r = new Verifier(repository(false), new ProgressBar(err(), "verify")).verify(percent);
            r.problems().forEach(x -> out().println("PROBLEM " + x));
            out().printf("%s: %d snapshots, %d packs, %d read whole (%s)%n", r.clean() ? "no problems" : r.problems().size() + " problems",
                    r.snapshots(), r.packs(), r.packsRead(), ProgressBar.bytes(r.bytesRead()));
            out().flush();
            if (!r.clean()) {
                throw new Main.CliFailure("the repository has problems (above)");
            }
            return 0;
        }
    }

    @Command(name = "forget", mixinStandardHelpOptions = true, description = "Delete the snapshots a policy does not keep (--prune: and their data).")
    static final class Forget extends RepositoryTask {
        @Option(names = "--keep-last") int last;
        @Option(names = "--keep-daily") int daily;
        @Option(names = "--keep-weekly") int weekly;
        @Option(names = "--keep-monthly") int monthly;
        @Option(names = "--prune", description = "prune afterwards") boolean prune;

        @Override
        public Integer call() throws Exception {
            KeepPolicy policy = new KeepConfig(last, daily, weekly, monthly).policy().orElseThrow(() ->
                    new IllegalArgumentException("give at least one of --keep-last, --keep-daily, --keep-weekly, --keep-monthly"));
            BackupRepository r = repository(false);
            List<Snapshot> gone = new Forgetter(r, Platform.hostName()).forget(policy, ZoneId.systemDefault());
            gone.forEach(s -> out().println("forgot " + s.shortId() + " " + Instant.ofEpochMilli(s.time())));
            out().printf("%d snapshots forgotten%n", gone.size());
            if (prune) {
                printPrune(out(), new Pruner(r, Platform.hostName()).prune());
            }
            return 0;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove the data no snapshot needs.")
    static final class Prune extends RepositoryTask {
        @Override
        public Integer call() throws Exception {
            printPrune(out(), new Pruner(repository(false), Platform.hostName()).prune());
            return 0;
        }
    }

    static void printPrune(PrintWriter out, Pruner.Result r) {
        out.printf("pruned: %d packs deleted, %d repacked, %d kept, %s freed%n", r.packsDeleted(), r.packsRepacked(), r.packsKept(),
                ProgressBar.bytes(r.bytesFreed()));
    }
}
