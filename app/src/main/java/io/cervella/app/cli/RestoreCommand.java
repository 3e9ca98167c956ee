package io.cervella.app.cli;

import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.restore.PostgresLoader;
import io.cervella.backup.restore.Restorer;
import java.util.List;
import io.cervella.backup.snapshot.Snapshot;
import io.cervella.backup.snapshot.Snapshots;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cervella restore --snapshot ID --data DIR}: a snapshot written into a new data directory, every
 * blob checked; then {@code cervella serve --data DIR} starts the same platform (the memory's indexes
 * are rebuilt at that start). On a fresh machine the repository is named with {@code --repo} (or the
 * config that lists it, with {@code --config}).
 */
@Command(name = "restore", mixinStandardHelpOptions = true, description = "Restore a snapshot into a new data directory.")
public final class RestoreCommand extends BackupCommand.RepositoryTask {
    @Option(names = "--snapshot", required = true, description = "the snapshot's id (a prefix of 4 or more hex digits) or 'latest'")
    String snapshot;

    @Override
    public Integer call() throws Exception {
        io.cervella.core.tls.CryptoWarmup.start(java.util.EnumSet.of(io.cervella.core.tls.CryptoWarmup.Use.DECRYPT_ARRAYS), null); // AES-GCM compiled to its intrinsics before the first blob
        Path into = data; // where the restore goes: the repository comes from --repo, or from the config given with --config
        BackupRepository repo = repository(false);
        Snapshot s = Snapshots.find(repo, snapshot);
        io.cervella.core.config.DatabaseConfig db = loadConfig().database();
        boolean postgres = s.databaseKind().equals("postgresql");
        if (postgres && (db.url() == null || !db.url().startsWith("jdbc:postgresql:"))) {
            throw new IllegalArgumentException("snapshot " + s.shortId() + " holds a PostgreSQL database: give --config with"
                    + " database.url (and user, password_env) of a new, empty database to load it into");
        }
        Restorer.Result r = new Restorer(repo, new ProgressBar(err(), "restore")).restore(s, into);
        if (postgres) {
            String password = db.passwordEnv() == null ? null : System.getenv(db.passwordEnv());
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setURL(db.url());
            if (db.user() != null) {
                ds.setUser(db.user());
            }
            if (password != null) {
                ds.setPassword(password);
            }
            List<String> tables = PostgresLoader.load(into.resolve("postgres"), ds);
            Restorer.deleteTree(into.resolve("postgres"));
            out().printf("loaded %d tables into %s%n", tables.size(), db.url().replaceAll("password=[^&]*", "password=***"));
        }
        // the restored platform's audit log says where its state came from; the restore stands without it
        try (io.cervella.core.store.MetadataStore store = postgres
                ? io.cervella.core.store.MetadataStore.openPostgres(db.url(), db.user(), db.passwordEnv() == null ? null : System.getenv(db.passwordEnv()))
                : LocalData.open(into)) {
            new io.cervella.ops.audit.AuditLog(store, java.time.Clock.systemUTC()).append(io.cervella.ops.audit.AuditActions.ACTOR_LOCAL,
                    io.cervella.ops.audit.AuditActions.BACKUP_RESTORE, s.shortId(),
                    java.util.Map.of("snapshot", s.id(), "snapshot_time", java.time.Instant.ofEpochMilli(s.time()).toString(),
                            "files", r.files(), "bytes", r.bytes()));
        } catch (RuntimeException e) {
            err().printf("warning: the restore is done, but its audit entry was not written: %s%n", e.getMessage());
        }
        out().printf("restored snapshot %s (%s) into %s: %d files, %s%n", s.shortId(), java.time.Instant.ofEpochMilli(s.time()), into,
                r.files(), ProgressBar.bytes(r.bytes()));
        out().printf("start it: cervella serve --data %s%n", into);
        return 0;
    }
}
