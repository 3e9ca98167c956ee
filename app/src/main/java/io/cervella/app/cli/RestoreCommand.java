package io.cervella.app.cli;

import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.restore.Restorer;
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
        Path into = data; // where the restore goes: the repository comes from --repo, or from the config given with --config
        BackupRepository repo = repository(false);
        Snapshot s = Snapshots.find(repo, snapshot);
        Restorer.Result r = new Restorer(repo, new ProgressBar(err(), "restore")).restore(s, into);
        out().printf("restored snapshot %s (%s) into %s: %d files, %s%n", s.shortId(), java.time.Instant.ofEpochMilli(s.time()), into,
                r.files(), ProgressBar.bytes(r.bytes()));
        out().printf("start it: cervella serve --data %s%n", into);
        return 0;
    }
}
