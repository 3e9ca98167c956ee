package io.cervella.backup.snapshot;

import io.cervella.backup.pack.PackBuilder;
import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.repo.RepositoryKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The repository's snapshot files: written last by a run, listed oldest first, found by an id prefix. */
public final class Snapshots {
    static final String PREFIX = "snapshots/";

    private Snapshots() {}

    /** Seals and writes a snapshot; returns it with its id. */
    public static Snapshot write(BackupRepository repo, Snapshot s) throws IOException {
        byte[] sealed = repo.keys().seal("snapshot", s.toJson());
        String id = PackBuilder.sha256(sealed);
        repo.store().put(PREFIX + id, sealed);
        return s.withId(id);
    }

    /** Every snapshot, oldest first. One that does not open is damaged, and named. */
    public static List<Snapshot> list(BackupRepository repo) throws IOException, RepositoryKeys.DamagedException {
        List<Snapshot> out = new ArrayList<>();
        for (String name : repo.store().list(PREFIX)) {
            byte[] sealed = repo.store().get(name).orElse(null);
            if (sealed == null) {
                continue; // forgotten meanwhile
            }
            String id = name.substring(PREFIX.length());
            try {
                out.add(Snapshot.fromJson(id, repo.keys().open("snapshot", sealed)));
            } catch (RepositoryKeys.DamagedException e) {
                throw new RepositoryKeys.DamagedException("snapshot " + id.substring(0, 8) + ": " + e.getMessage());
            }
        }
        out.sort(Comparator.comparingLong(Snapshot::time).thenComparing(Snapshot::id));
        return out;
    }

    /** The snapshot whose id starts with {@code prefix} ("latest": the newest); an ambiguous or unknown prefix is an error. */
    public static Snapshot find(BackupRepository repo, String prefix) throws IOException, RepositoryKeys.DamagedException {
        List<Snapshot> all = list(repo);
        if (prefix.equals("latest")) {
            if (all.isEmpty()) {
                throw new IllegalArgumentException("the repository has no snapshot yet");
            }
            return all.getLast();
        }
        if (!prefix.matches("[0-9a-f]{4,64}")) {
            throw new IllegalArgumentException("a snapshot id is 4 to 64 hex digits (or 'latest'): " + prefix);
        }
        List<Snapshot> matches = all.stream().filter(s -> s.id().startsWith(prefix)).toList();
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("no snapshot " + prefix + " (`cervella backup list` shows them)");
        }
        if (matches.size() > 1) {
            throw new IllegalArgumentException("snapshot id " + prefix + " is ambiguous: give more digits");
        }
        return matches.getFirst();
    }

    public static void delete(BackupRepository repo, Snapshot s) throws IOException {
        repo.store().delete(PREFIX + s.id());
    }
}
