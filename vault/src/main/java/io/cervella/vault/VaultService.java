package io.cervella.vault;

import io.cervella.vault.index.VaultIndex;
import io.cervella.vault.manifest.FileVersion;
import io.cervella.vault.manifest.Manifest;
import io.cervella.vault.pack.ChunkStore;
import io.cervella.vault.version.CommitPlanner;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The vault's server side of the sync protocol (docs/formats/vault.md, Sync protocol): which chunks it
 * lacks, taking chunks, committing a push, and what changed since a device's last pull. A commit
 * makes its chunks durable first, then decides and writes its versions under the vault's lock.
 */
public final class VaultService {
    private final VaultRepository repo;
    private final ChunkStore chunks;
    private final VaultIndex index;
    private final Clock clock;

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

    public record CommitResult(long seq, List<FileVersion> accepted, List<CommitPlanner.Conflict> conflicts) {}

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
    public CommitResult commit(String device, List<CommitPlanner.Change> changes) throws IOException {
        List<String> needed = new ArrayList<>();
        for (CommitPlanner.Change c : changes) {
            if (!c.deleted()) {
                needed.addAll(c.chunks());
            }
        }
        List<String> absent = missing(needed);
        if (!absent.isEmpty()) {
            throw new MissingChunksException(absent);
        }
        chunks.flush(); // the packs are durable before any version points at them
        Instant now = clock.instant();
        CommitPlanner.Plan[] plan = new CommitPlanner.Plan[1];
        long seq = index.commit(device, now.toEpochMilli(), changes.stream().map(CommitPlanner.Change::path).toList(),
                current -> {
                    plan[0] = CommitPlanner.plan(current, device, now, changes);
                    return plan[0].versions();
                },
                n -> repo.store().put(Manifest.blobName(n), new Manifest(n, device, now.toEpochMilli(), plan[0].versions())
                        .encrypt(repo.keys().streamingAead())));
        return new CommitResult(seq == 0 ? index.head() : seq, plan[0].versions(), plan[0].conflicts());
    }

    public List<VaultIndex.Versioned> changesSince(long since, int limit) {
        return index.changesSince(since, limit);
    }

    private static byte[] hash(String hex) {
        if (hex == null || !hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a content hash is 64 lower-case hex digits");
        }
        return HexFormat.of().parseHex(hex);
    }
}
