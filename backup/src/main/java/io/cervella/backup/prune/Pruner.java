package io.cervella.backup.prune;

import io.cervella.backup.index.BlobReader;
import io.cervella.backup.index.RepositoryIndex;
import io.cervella.backup.lock.RepositoryLock;
import io.cervella.backup.pack.BlobId;
import io.cervella.backup.pack.BlobType;
import io.cervella.backup.pack.PackBuilder;
import io.cervella.backup.pack.PackEntry;
import io.cervella.backup.pack.PackReader;
import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.repo.RepositoryKeys;
import io.cervella.backup.snapshot.Snapshot;
import io.cervella.backup.snapshot.Snapshots;
import io.cervella.backup.tree.Tree;
import io.cervella.backup.tree.TreeEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes what no snapshot needs (docs/formats/backup.md, prune), under the exclusive lock: the blobs
 * every snapshot's trees name are kept; a pack none of whose blobs is used is deleted, one with more
 * than a fifth unused is repacked (its used blobs copied into new packs). Order: new packs, then one
 * index for everything kept that supersedes the old ones, then the old index files, then the old packs
 * and the orphans. A crash between steps leaves every snapshot able to find its blobs.
 */
public final class Pruner {
    static final double REPACK_UNUSED_SHARE = 0.2;

    private final BackupRepository repo;
    private final String host;

    public Pruner(BackupRepository repo, String host) {
        this.repo = repo;
        this.host = host;
    }

    public record Result(int packsDeleted, int packsRepacked, int packsKept, long bytesFreed) {}

    public Result prune() throws IOException, RepositoryKeys.DamagedException {
        try (RepositoryLock lock = RepositoryLock.acquire(repo, true, host)) {
            return pruneLocked();
        }
    }

    private Result pruneLocked() throws IOException, RepositoryKeys.DamagedException {
        RepositoryIndex index = RepositoryIndex.load(repo);
        BlobReader reader = new BlobReader(repo, index);
        Set<BlobId> used = new HashSet<>();
        for (Snapshot s : Snapshots.list(repo)) {
            for (BlobId treeId : s.trees().values()) {
                used.add(treeId);
                Tree tree = reader.readTree(treeId); // a snapshot we cannot read stops the prune: it might need anything
                for (TreeEntry e : tree.entries()) {
                    used.addAll(e.content());
                }
            }
        }
        Set<BlobId> missing = new HashSet<>(used);
        missing.removeIf(index::has);
        if (!missing.isEmpty()) {
            throw new RepositoryKeys.DamagedException(missing.size() + " blobs the snapshots need are in no index; "
                    + "`cervella backup verify` says which; nothing was pruned");
        }

        Set<String> stored = new HashSet<>();
        for (String name : repo.store().list("data/")) {
            stored.add(name.substring(name.lastIndexOf('/') + 1));
        }
        for (String pack : index.packs().keySet()) {
            if (!stored.contains(pack)) {
                throw new RepositoryKeys.DamagedException("pack " + pack.substring(0, 12) + " is missing; "
                        + "`cervella backup verify` says what it takes with it; nothing was pruned");
            }
        }

        List<String> delete = new ArrayList<>();
        List<String> repack = new ArrayList<>();
        List<String> keep = new ArrayList<>();
        Set<BlobId> kept = new HashSet<>();
        long freed = 0;
        for (Map.Entry<String, List<PackEntry>> p : index.packs().entrySet()) {
            long usedBytes = 0;
            long allBytes = 0;
            for (PackEntry e : p.getValue()) {
                allBytes += e.length();
                // a blob in two packs (two runs raced) counts once: in the pack the index resolves it to
                boolean isUsed = used.contains(e.id()) && index.find(e.id()).orElseThrow().pack().equals(p.getKey());
                if (isUsed) {
                    usedBytes += e.length();
                }
            }
            if (usedBytes == 0) {
                delete.add(p.getKey());
                freed += allBytes;
            } else if (allBytes - usedBytes > allBytes * REPACK_UNUSED_SHARE) {
                repack.add(p.getKey());
                freed += allBytes - usedBytes;
            } else {
                keep.add(p.getKey());
                p.getValue().forEach(e -> kept.add(e.id()));
            }
        }

        // 1. the used blobs of the packs to repack, into new packs
        RepositoryIndex next = new RepositoryIndex();
        for (String p : keep) {
            next.add(p, index.packs().get(p));
        }
        Map<BlobType, PackBuilder> builders = new LinkedHashMap<>();
        for (String p : repack) {
            byte[] bytes = repo.store().get(PackBuilder.Pack.blobName(p)).orElseThrow(() ->
                    new IOException("pack " + p.substring(0, 12) + " is missing; `cervella backup verify` first"));
            for (PackEntry e : index.packs().get(p)) {
                if (!used.contains(e.id()) || kept.contains(e.id())) {
                    continue;
                }
                byte[] plain = PackReader.open(repo.keys(), e, bytes, e.offset());
                PackBuilder b = builders.computeIfAbsent(e.type(), t -> new PackBuilder(repo.keys(), t));
                b.add(e.id(), plain, 0, plain.length);
                kept.add(e.id());
                if (b.isFull()) {
                    writePack(b.finish(), next);
                    builders.remove(e.type());
                }
            }
        }
        for (PackBuilder b : builders.values()) {
            if (!b.isEmpty()) {
                writePack(b.finish(), next);
            }
        }
        // 2. one index for all that stays, superseding the old ones; 3. the old index files
        List<String> oldIndexes = index.allFiles();
        if (!repack.isEmpty() || !delete.isEmpty() || oldIndexes.size() > 1) {
            next.write(repo, next.packs().keySet(), oldIndexes);
            for (String old : oldIndexes) {
                repo.store().delete(old);
            }
        }
        // 4. the packs nothing needs any more, and the orphans (no run is going: we hold the exclusive lock)
        Set<String> stays = next.packs().keySet();
        int orphans = 0;
        for (String name : repo.store().list("data/")) {
            String id = name.substring(name.lastIndexOf('/') + 1);
            if (!stays.contains(id)) {
                long size = repo.store().size(name);
                repo.store().delete(name);
                if (!index.hasPack(id)) {
                    orphans++;
                    freed += Math.max(0, size);
                }
            }
        }
        return new Result(delete.size() + orphans, repack.size(), keep.size(), freed);
    }

    private void writePack(PackBuilder.Pack pack, RepositoryIndex next) throws IOException {
        repo.store().put(pack.blobName(), pack.bytes());
        next.add(pack.id(), pack.entries());
    }
}
