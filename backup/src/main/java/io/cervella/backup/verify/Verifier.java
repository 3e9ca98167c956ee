package io.cervella.backup.verify;

import io.cervella.backup.index.BlobReader;
import io.cervella.backup.index.RepositoryIndex;
import io.cervella.backup.pack.BlobId;
import io.cervella.backup.pack.PackBuilder;
import io.cervella.backup.pack.PackEntry;
import io.cervella.backup.pack.PackReader;
import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.repo.RepositoryKeys;
import io.cervella.backup.run.Progress;
import io.cervella.backup.snapshot.Snapshot;
import io.cervella.backup.snapshot.Snapshots;
import io.cervella.backup.tree.Tree;
import io.cervella.backup.tree.TreeEntry;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a repository (docs/formats/backup.md, verify): every snapshot's trees and blobs are indexed,
 * every indexed pack exists, and a share of the packs (all with 100) is read whole: its SHA-256 against
 * its name, its header against the index, every blob's tag and id. Every problem names what it is in.
 */
public final class Verifier {
    private final BackupRepository repo;
    private final Progress progress;

    public Verifier(BackupRepository repo, Progress progress) {
        this.repo = repo;
        this.progress = progress;
    }

    public record Report(int snapshots, int packs, int packsRead, long bytesRead, List<String> problems) {
        public boolean clean() {
            return problems.isEmpty();
        }
    }

    /** {@code readDataPercent}: 0 reads no pack, 100 every one. */
    public Report verify(double readDataPercent) throws IOException {
        // shared: backups go on, a prune waits (packs it deletes meanwhile would look missing)
        try (io.cervella.backup.lock.HeldLock lock = io.cervella.backup.lock.RepositoryLock.forReading(repo, io.cervella.backup.lock.RepositoryLock.localHost())) {
            return verifyLocked(readDataPercent);
        }
    }

    private Report verifyLocked(double readDataPercent) throws IOException {
        List<String> problems = new ArrayList<>();
        RepositoryIndex index;
        List<Snapshot> snapshots;
        try {
            index = RepositoryIndex.load(repo);
            snapshots = Snapshots.list(repo);
        } catch (RepositoryKeys.DamagedException e) {
            problems.add(e.getMessage());
            return new Report(0, 0, 0, 0, problems);
        }
        Set<String> stored = new HashSet<>();
        for (String name : repo.store().list("data/")) {
            stored.add(name.substring(name.lastIndexOf('/') + 1));
        }
        for (String pack : index.packs().keySet()) {
            if (!stored.contains(pack)) {
                problems.add("pack " + pack.substring(0, 12) + " is missing (an index names it)");
            }
        }
        BlobReader reader = new BlobReader(repo, index);
        for (Snapshot s : snapshots) {
            for (Map.Entry<String, BlobId> t : s.trees().entrySet()) {
                Tree tree;
                try {
                    tree = reader.readTree(t.getValue());
                } catch (RepositoryKeys.DamagedException | IOException | RuntimeException e) {
                    problems.add("snapshot " + s.shortId() + ", tree of " + t.getKey() + ": " + e.getMessage());
                    continue;
                }
                for (TreeEntry e : tree.entries()) {
                    for (BlobId id : e.content()) {
                        if (!index.has(id)) {
                            problems.add("snapshot " + s.shortId() + ", " + e.path() + ": blob " + id + " is in no index");
                        } else if (!stored.contains(index.find(id).orElseThrow().pack())) {
                            problems.add("snapshot " + s.shortId() + ", " + e.path() + ": blob " + id + " is in missing pack "
                                    + index.find(id).orElseThrow().pack().substring(0, 12));
                        }
                    }
                }
            }
        }
        List<String> toRead = new ArrayList<>(index.packs().keySet());
        toRead.retainAll(stored);
        Collections.shuffle(toRead, new SecureRandom());
        int count = readDataPercent >= 100 ? toRead.size() : (int) Math.ceil(toRead.size() * Math.max(0, readDataPercent) / 100.0);
        toRead = toRead.subList(0, count);
        long totalBytes = 0;
        for (String p : toRead) {
            totalBytes += Math.max(0, repo.store().size(PackBuilder.Pack.blobName(p)));
        }
        long bytesRead = 0;
        for (String pack : toRead) {
            byte[] bytes = repo.store().get(PackBuilder.Pack.blobName(pack)).orElse(null);
            if (bytes == null) {
                problems.add("pack " + pack.substring(0, 12) + " disappeared while it was verified");
                continue;
            }
            bytesRead += bytes.length;
            progress.update(bytesRead, totalBytes, pack.substring(0, 12));
            problems.addAll(checkPack(pack, bytes, index.packs().get(pack)));
        }
        return new Report(snapshots.size(), index.packs().size(), toRead.size(), bytesRead, problems);
    }

    private List<String> checkPack(String pack, byte[] bytes, List<PackEntry> indexed) {
        List<String> problems = new ArrayList<>();
        String name = "pack " + pack.substring(0, 12);
        if (!PackBuilder.sha256(bytes).equals(pack)) {
            problems.add(name + ": its bytes do not match its name (damaged)");
        }
        List<PackEntry> entries;
        try {
            entries = PackReader.entries(repo.keys(), bytes);
        } catch (RepositoryKeys.DamagedException e) {
            problems.add(name + ": its header: " + e.getMessage());
            return problems;
        }
        if (!new HashSet<>(entries).equals(new HashSet<>(indexed))) {
            problems.add(name + ": its header and the index disagree on what it holds");
        }
        for (PackEntry e : entries) {
            try {
                byte[] plain = PackReader.open(repo.keys(), e, bytes, e.offset());
                if (!Arrays.equals(repo.keys().blobId(plain), e.id().bytes())) {
                    problems.add(name + ", blob " + e.id() + ": its content does not match its id");
                }
            } catch (RepositoryKeys.DamagedException ex) {
                problems.add(name + ", blob " + e.id() + ": " + ex.getMessage());
            }
        }
        return problems;
    }
}
