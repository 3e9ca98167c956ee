package io.cervella.vault;

import io.cervella.core.chunk.GearTable;
import io.cervella.vault.index.VaultIndex;
import io.cervella.vault.manifest.FileVersion;
import io.cervella.vault.manifest.Manifest;
import io.cervella.vault.pack.ChunkStore;
import io.cervella.vault.tree.VaultPath;
import io.cervella.vault.version.CommitPlanner;
import io.cervella.vault.version.Device;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The vault's server side (docs/formats/vault.md, Sync protocol): which chunks it lacks, taking
 * chunks, committing a push, what changed since a device's last pull; and for people: the current
 * tree, a file's versions, reading and restoring a version, and a check of everything stored. A commit
 * makes its chunks durable first, then decides and writes its versions under the vault's lock.
 */
public final class VaultService {
    private final VaultRepository repo;
    private final ChunkStore chunks;
    private final VaultIndex index;
    private final Clock clock;
    /** Woken by each commit made here, for pulls that wait for the next change. */
    private final Object commits = new Object();
    /** Held by a commit and by a prune: no commit decides on chunks a prune is deleting. */
    private final java.util.concurrent.locks.ReentrantLock writeLock = new java.util.concurrent.locks.ReentrantLock();
    /** Read by backups while they copy the vault's blobs, written by a prune: a prune waits for a backup, and the other way round. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock pruneGate = new java.util.concurrent.locks.ReentrantReadWriteLock();

    /** Keeps prunes away until closed (a backup holds it from its database snapshot to its last vault blob). */
    public AutoCloseable holdPrune() {
        pruneGate.readLock().lock();
        return () -> pruneGate.readLock().unlock();
    }

    public VaultService(VaultRepository repo, ChunkStore chunks, VaultIndex index, Clock clock) {
        this.repo = repo;
        this.chunks = chunks;
        this.index = index;
        this.clock = clock;
    }

    /** A push names chunks the vault does not have: nothing is committed. */
    public static final class MissingChunksException extends IllegalStateException {
        private final List<String> missing;

        MissingChunksException(List<String> missing) {
            super(missing.size() + " chunks are not here yet; send them, then commit again");
            this.missing = List.copyOf(missing);
        }

        public List<String> missing() {
            return missing;
        }
    }

    /**
     * @param seq       the commit's number, or 0 when the push changed nothing (nothing was written)
     * @param accepted  the versions the push made (conflict copies among them) and the current versions
     *                  it asked for already; the device records their vectors
     * @param conflicts what was not taken as sent, and why
     */
    public record CommitResult(long seq, List<FileVersion> accepted, List<CommitPlanner.Conflict> conflicts) {}

    /**
     * One small round of this vault's own crypto (a chunk's hash check, id and sealing, as an upload
     * makes them), for {@link io.cervella.core.tls.CryptoWarmup}: touches no stored data.
     */
    public Runnable warmup() {
        byte[] chunk = new byte[4096];
        return () -> {
            byte[] hash = ChunkStore.sha256Of(chunk);
            io.cervella.vault.pack.PackWriter.seal(repo.keys().streamingAead(), repo.keys().chunkId(hash), chunk);
        };
    }

    public String vaultId() {
        return repo.vaultId();
    }

    public GearTable gearTable() {
        return repo.keys().gearTable();
    }

    public long head() {
        return index.head();
    }

    /** Those of the content hashes (hex) whose chunks the vault lacks. */
    public List<String> missing(List<String> contentHashes) {
        List<String> out = new ArrayList<>();
        for (String h : contentHashes) {
            if (!chunks.has(hash(h))) {
                out.add(h);
            }
        }
        return out;
    }

    public void putChunk(String contentHash, byte[] bytes) throws IOException {
        chunks.add(hash(contentHash), bytes);
    }

    public Optional<byte[]> chunk(String contentHash) throws IOException {
        return chunks.read(hash(contentHash));
    }

    /** Commits a device's push; conflicts are decided as {@link CommitPlanner} says, and reported. */
    public CommitResult commit(Device device, List<CommitPlanner.Change> changes) throws IOException {
        writeLock.lock();
        try {
            return commitLocked(device, changes);
        } finally {
            writeLock.unlock();
        }
    }

    private CommitResult commitLocked(Device device, List<CommitPlanner.Change> changes) throws IOException {
        List<String> needed = new ArrayList<>();
        for (CommitPlanner.Change c : changes) {
            if (!c.deleted()) {
                needed.addAll(c.chunks());
            }
        }
        List<String> absent = missing(needed);
        if (!absent.isEmpty()) {
            chunks.refresh(); // sent to another node sharing this vault?
            absent = missing(needed);
        }
        if (!absent.isEmpty()) {
            throw new MissingChunksException(absent);
        }
        chunks.flush(); // the packs are durable before any version points at them
        Instant now = clock.instant();
        CommitPlanner.Plan[] plan = new CommitPlanner.Plan[1];
        long seq;
        try {
            // the names conflict copies would take are read too, so that a copy never lands on an existing file
            List<VaultPath> paths = new ArrayList<>();
            for (CommitPlanner.Change c : changes) {
                paths.add(c.path());
                paths.add(VaultPath.of(io.cervella.vault.version.ConflictName.of(c.path().value(), device.name(), now)));
            }
            seq = index.commit(device.id(), now.toEpochMilli(), paths,
                    current -> {
                        plan[0] = CommitPlanner.plan(current, device, now, changes);
                        return plan[0].versions();
                    },
                    n -> repo.store().put(Manifest.blobName(n), new Manifest(n, device.id(), now.toEpochMilli(), plan[0].versions())
                            .encrypt(repo.keys().streamingAead())));
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause(); // the manifest could not be written (a full disk): nothing was committed
        }
        if (seq != 0) {
            synchronized (commits) {
                commits.notifyAll();
            }
        }
        List<FileVersion> accepted = new ArrayList<>(plan[0].versions());
        accepted.addAll(plan[0].unchanged());
        return new CommitResult(seq, accepted, plan[0].conflicts());
    }

    public List<VaultIndex.Versioned> changesSince(long since, int limit) {
        return index.changesSince(since, limit);
    }

    /**
     * Waits until the vault's head passes {@code since} or {@code wait} is over (a long poll: a device
     * in --watch hears of a change at once). Commits made on this node wake it; those of other nodes
     * sharing the database are seen within a second.
     */
    public long awaitHeadAfter(long since, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        long head;
        while ((head = index.head()) <= since) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || pollsEnded) {
                break;
            }
            synchronized (commits) {
                commits.wait(Math.max(1, Math.min(1000, left / 1_000_000)));
            }
        }
        return head;
    }

    private volatile boolean pollsEnded;

    /** Answers every long poll now and any later one at once: the server is stopping. */
    public void endLongPolls() {
        pollsEnded = true;
        synchronized (commits) {
            commits.notifyAll();
        }
    }

    /** The current files under {@code prefix} ("" for all), without deleted ones unless asked. */
    public List<VaultIndex.Versioned> tree(String prefix, boolean withDeleted) {
        List<VaultIndex.Versioned> out = new ArrayList<>();
        for (Map.Entry<VaultPath, VaultIndex.Versioned> e : index.tree().entrySet()) {
            if (e.getKey().value().startsWith(prefix) && (withDeleted || !e.getValue().version().deleted())) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    /** Every version of a path, oldest first (tombstones too). */
    public List<VaultIndex.Versioned> history(VaultPath path) {
        return index.history(path);
    }

    /** The version of {@code path} at commit {@code seq}, or its current one when {@code seq} is 0. */
    public Optional<VaultIndex.Versioned> version(VaultPath path, long seq) {
        List<VaultIndex.Versioned> all = history(path);
        if (all.isEmpty()) {
            return Optional.empty();
        }
        return seq == 0 ? Optional.of(all.getLast()) : all.stream().filter(v -> v.seq() == seq).findFirst();
    }

    /** Writes a version's content, chunk by chunk, each checked against its hash. */
    public void read(FileVersion version, OutputStream out) throws IOException {
        for (String h : version.chunks()) {
            out.write(chunk(h).orElseThrow(() -> new IOException("chunk " + h + " of " + version.path()
                    + " is missing from the vault (run `cervella vault check`)")));
        }
    }

    /**
     * Makes an old version current again: a new version with its content (or a deletion, if it was
     * one), made from the current version, so every device takes it at its next pull.
     */
    public CommitResult restore(Device device, VaultPath path, long seq) throws IOException {
        VaultIndex.Versioned old = version(path, seq).orElseThrow(() ->
                new IllegalArgumentException("'" + path + "' has no version " + seq));
        FileVersion current = history(path).getLast().version();
        FileVersion v = old.version();
        return commit(device, List.of(new CommitPlanner.Change(path, current.vector(), v.deleted(), v.size(),
                clock.millis(), v.contentHash(), v.chunks())));
    }

    /** What {@link #check} found. */
    public record CheckReport(int packs, int chunks, long commits, int versions, List<String> problems) {
        public boolean clean() {
            return problems.isEmpty();
        }
    }

    /**
     * Reads everything back: every pack (its hash, header and every chunk's tag), every manifest from 1
     * to the head (it decrypts under its number and agrees with the index), and every chunk a version
     * names is there.
     */
    public CheckReport check() throws IOException {
        ChunkStore.CheckReport packs = chunks.check();
        List<String> problems = new ArrayList<>(packs.problems());
        long head = index.head();
        Set<String> named = new HashSet<>();
        int versions = 0;
        for (long seq = 1; seq <= head; seq++) {
            Optional<byte[]> blob = repo.store().get(Manifest.blobName(seq));
            if (blob.isEmpty()) {
                problems.add(Manifest.blobName(seq) + ": missing (commit " + seq + ")");
                continue;
            }
            try {
                Manifest m = Manifest.decrypt(repo.keys().streamingAead(), seq, blob.get());
                for (FileVersion f : m.files()) {
                    versions++;
                    named.addAll(f.chunks());
                }
            } catch (IOException | RuntimeException e) {
                problems.add(Manifest.blobName(seq) + ": " + e.getMessage());
            }
        }
        for (VaultIndex.Versioned v : index.tree().values()) {
            named.addAll(v.version().chunks());
        }
        for (String h : named) {
            if (!chunks.has(hash(h))) {
                problems.add("chunk " + h + ": named by a version but stored in no pack");
            }
        }
        return new CheckReport(packs.packs(), packs.chunks(), head, versions, List.copyOf(problems));
    }

    /** What a prune did (or, with dryRun, would do). */
    public record PruneReport(int versionsDropped, int pathsForgotten, int packsDeleted, int packsRewritten, long bytesFreed,
                              boolean dryRun) {}

    /**
     * Drops the versions {@code policy} no longer keeps and the packs only they needed, in the order
     * docs/formats/vault.md (Retention and prune) gives, so that a crash at any step loses nothing kept.
     * Commits wait meanwhile.
     */
    public PruneReport prune(io.cervella.vault.retention.RetentionPolicy policy, boolean dryRun) throws IOException {
        pruneGate.writeLock().lock();
        try {
            return pruneGated(policy, dryRun);
        } finally {
            pruneGate.writeLock().unlock();
        }
    }

    private PruneReport pruneGated(io.cervella.vault.retention.RetentionPolicy policy, boolean dryRun) throws IOException {
        writeLock.lock();
        try {
            List<VaultIndex.Versioned> all = index.all();
            io.cervella.vault.retention.RetentionPolicy.Decision d = policy.decide(all, index.commitTimes(), clock.instant());
            if (dryRun || d.drop().isEmpty()) {
                return new PruneReport(d.drop().size(), d.pathsForgotten(), 0, 0, 0, true);
            }
            Set<VaultIndex.Versioned> dropped = new HashSet<>(d.drop());
            Set<String> live = new HashSet<>();
            for (VaultIndex.Versioned v : all) {
                if (!dropped.contains(v)) {
                    v.version().chunks().forEach(h -> live.add(HexFormat.of().formatHex(repo.keys().chunkId(hash(h)))));
                }
            }
            ChunkStore.Repack repack = chunks.repack(live, 0.8);
            Map<Long, Set<VaultPath>> bySeq = new java.util.TreeMap<>();
            d.drop().forEach(v -> bySeq.computeIfAbsent(v.seq(), s -> new HashSet<>()).add(v.version().path()));
            for (Map.Entry<Long, Set<VaultPath>> e : bySeq.entrySet()) {
                long seq = e.getKey();
                Optional<byte[]> blob = repo.store().get(Manifest.blobName(seq));
                if (blob.isEmpty()) {
                    continue;
                }
                Manifest m = Manifest.decrypt(repo.keys().streamingAead(), seq, blob.get());
                List<FileVersion> kept = m.files().stream().filter(f -> !e.getValue().contains(f.path())).toList();
                repo.store().put(Manifest.blobName(seq), new Manifest(seq, m.device(), m.committedAt(), kept)
                        .encrypt(repo.keys().streamingAead()));
            }
            index.drop(d.drop());
            chunks.deletePacks(repack.obsolete());
            return new PruneReport(d.drop().size(), d.pathsForgotten(), repack.obsolete().size(), repack.rewritten(),
                    repack.obsoleteBytes(), false);
        } finally {
            writeLock.unlock();
        }
    }

    /** Rebuilds the database index from the manifests in the blob store; returns the number of commits. */
    public long reindex() throws IOException {
        List<String> names = repo.store().list("manifests/");
        java.util.Iterator<String> it = names.iterator();
        return index.rebuild(new java.util.Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Manifest next() {
                String name = it.next();
                long seq = Long.parseLong(name.substring("manifests/".length()), 16);
                try {
                    return Manifest.decrypt(repo.keys().streamingAead(), seq, repo.store().get(name).orElseThrow());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(name + ": " + e.getMessage(), e);
                }
            }
        });
    }

    private static byte[] hash(String hex) {
        if (hex == null || !hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a content hash is 64 lower-case hex digits");
        }
        return HexFormat.of().parseHex(hex);
    }
}
