package io.cervella.backup.forget;

import io.cervella.backup.lock.RepositoryLock;
import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.repo.RepositoryKeys;
import io.cervella.backup.snapshot.Snapshot;
import io.cervella.backup.snapshot.Snapshots;
import java.io.IOException;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/** Deletes the snapshots a policy does not keep, under the exclusive lock; their data goes at the next prune. */
public final class Forgetter {
    private final BackupRepository repo;
    private final String host;

    public Forgetter(BackupRepository repo, String host) {
        this.repo = repo;
        this.host = host;
    }

    /** The snapshots forgotten. */
    public List<Snapshot> forget(KeepPolicy policy, ZoneId zone) throws IOException, RepositoryKeys.DamagedException {
        try (RepositoryLock lock = RepositoryLock.acquire(repo, true, host)) {
            List<Snapshot> all = Snapshots.list(repo);
            Set<String> keep = policy.keep(all, zone);
            List<Snapshot> gone = all.stream().filter(s -> !keep.contains(s.id())).toList();
            for (Snapshot s : gone) {
                Snapshots.delete(repo, s);
            }
            return gone;
        }
    }
}
