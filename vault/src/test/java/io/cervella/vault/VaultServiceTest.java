package io.cervella.vault;

import io.cervella.vault.chunk.VaultChunking;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.core.store.MetadataStore;
import io.cervella.core.blob.LocalBlobStore;
import io.cervella.core.chunk.ContentChunker;
import io.cervella.vault.index.VaultIndex;
import io.cervella.core.crypto.Unlock;
import io.cervella.vault.manifest.Manifest;
import io.cervella.vault.pack.ChunkStore;
import io.cervella.vault.tree.VaultPath;
import io.cervella.vault.version.CommitPlanner;
import io.cervella.vault.version.Device;
import io.cervella.vault.version.VersionVector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A push and a pull through the service, on the real chunker, packs, manifests and index (SQLite). */
class VaultServiceTest {
    private static final Device LAPTOP = new Device("k-laptop", "laptop");
    private static final Device SERVER = new Device("k-server", "server");

    @TempDir Path dir;

    private record Upload(List<String> hashes, List<byte[]> chunks) {}

    private static Upload cut(ContentChunker chunker, byte[] file) throws Exception {
        List<String> hashes = new ArrayList<>();
        List<byte[]> chunks = new ArrayList<>();
        ContentChunker.Reader r = chunker.reader(new ByteArrayInputStream(file));
        for (byte[] c; (c = r.next()) != null; ) {
            hashes.add(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c)));
            chunks.add(c);
        }
        return new Upload(hashes, chunks);
    }

    private static CommitPlanner.Change edit(String path, VersionVector base, byte[] file, Upload u) throws Exception {
        String whole = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
        return new CommitPlanner.Change(VaultPath.of(path), base, false, file.length, 1, whole, u.hashes());
    }

    @Test
    void aStoppingServerAnswersItsLongPollsAtOnce() throws Exception {
        VaultRepository repo = VaultRepository.create(new LocalBlobStore(dir.resolve("vault")), new Unlock.Passphrase("p"));
        try (MetadataStore db = MetadataStore.openSqlite(dir.resolve("cervella.db"))) {
            VaultService vault = new VaultService(repo, ChunkStore.open(repo), new VaultIndex(db, repo), Clock.systemUTC());
            java.util.concurrent.CompletableFuture<Long> poll = new java.util.concurrent.CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    poll.complete(vault.awaitHeadAfter(0, java.time.Duration.ofSeconds(60)));
                } catch (InterruptedException e) {
                    poll.completeExceptionally(e);
                }
            });
            Thread.sleep(200);
            assertThat(poll).as("waiting for a commit").isNotDone();
            vault.endLongPolls();
            assertThat(poll.get(5, java.util.concurrent.TimeUnit.SECONDS)).as("answered well before its 60 s: the head, unchanged").isZero();
            assertThat(vault.awaitHeadAfter(0, java.time.Duration.ofSeconds(60))).as("a later poll is not held either").isZero();
        }
    }

    @Test
    void aPushIsCommittedAndPulledBackAndAStaleEditBecomesAConflictCopy() throws Exception {
        LocalBlobStore blobs = new LocalBlobStore(dir.resolve("vault"));
        VaultRepository repo = VaultRepository.create(blobs, new Unlock.Passphrase("p"));
        try (MetadataStore db = MetadataStore.openSqlite(dir.resolve("cervella.db"))) {
            VaultService vault = new VaultService(repo, ChunkStore.open(repo), new VaultIndex(db, repo),
                    Clock.fixed(Instant.parse("2026-11-26T15:04:05Z"), ZoneOffset.UTC));
            ContentChunker chunker = VaultChunking.chunker(repo.keys().gearTable());
            byte[] file = new byte[300_000];
            new Random(1).nextBytes(file);
            Upload u = cut(chunker, file);
            assertThat(u.hashes()).hasSizeGreaterThan(1);

            // a commit that names chunks not sent yet is refused, and nothing is committed
            assertThatThrownBy(() -> vault.commit(LAPTOP, List.of(edit("notes/big.bin", VersionVector.EMPTY, file, u))))
                    .isInstanceOfSatisfying(VaultService.MissingChunksException.class,
                            e -> assertThat(e.missing()).containsExactlyElementsOf(u.hashes()));
            assertThat(vault.missing(u.hashes())).containsExactlyElementsOf(u.hashes());
            for (int i = 0; i < u.chunks().size(); i++) {
                vault.putChunk(u.hashes().get(i), u.chunks().get(i));
            }
            assertThat(vault.missing(u.hashes())).isEmpty();
            VaultService.CommitResult first = vault.commit(LAPTOP, List.of(edit("notes/big.bin", VersionVector.EMPTY, file, u)));
            assertThat(first.seq()).isEqualTo(1);
            assertThat(first.conflicts()).isEmpty();

            // another device pulls: the version, then the chunks, and gets the same bytes
            List<VaultIndex.Versioned> changes = vault.changesSince(0, 100);
            assertThat(changes).singleElement().satisfies(v -> assertThat(v.version().path().value()).isEqualTo("notes/big.bin"));
            ByteArrayOutputStream pulled = new ByteArrayOutputStream();
            for (String h : changes.getFirst().version().chunks()) {
                pulled.write(vault.chunk(h).orElseThrow());
            }
            assertThat(pulled.toByteArray()).isEqualTo(file);
            // the manifest in the blob store says the same
            Manifest m = Manifest.decrypt(repo.keys().streamingAead(), 1, blobs.get(Manifest.blobName(1)).orElseThrow());
            assertThat(m.files()).containsExactlyElementsOf(first.accepted());

            // the server edits from v1, then the laptop pushes an edit it also made from v1
            VersionVector v1 = first.accepted().getFirst().vector();
            byte[] serverEdit = "versione del server".getBytes(StandardCharsets.UTF_8);
            Upload su = cut(chunker, serverEdit);
            vault.putChunk(su.hashes().getFirst(), su.chunks().getFirst());
            assertThat(vault.commit(SERVER, List.of(edit("notes/big.bin", v1, serverEdit, su))).seq()).isEqualTo(2);
            byte[] laptopEdit = "versione del portatile".getBytes(StandardCharsets.UTF_8);
            Upload lu = cut(chunker, laptopEdit);
            vault.putChunk(lu.hashes().getFirst(), lu.chunks().getFirst());
            VaultService.CommitResult late = vault.commit(LAPTOP, List.of(edit("notes/big.bin", v1, laptopEdit, lu)));
            assertThat(late.seq()).isEqualTo(3);
            assertThat(late.conflicts()).singleElement().satisfies(c ->
                    assertThat(c.copy().value()).isEqualTo("notes/big.conflict-laptop-20261126-150405.bin"));

            // a push with nothing to do commits nothing
            VaultService.CommitResult nothing = vault.commit(LAPTOP, List.of(new CommitPlanner.Change(VaultPath.of("never.md"),
                    VersionVector.EMPTY, true, 0, 1, "", List.of())));
            assertThat(nothing.seq()).as("nothing written: no commit number").isZero();
            assertThat(blobs.list("manifests/")).hasSize(3);

            // the history, an old version read back and restored, and a clean check
            VaultPath big = VaultPath.of("notes/big.bin");
            assertThat(vault.history(big)).extracting(VaultIndex.Versioned::seq).containsExactly(1L, 2L);
            VaultService.CommitResult restored = vault.restore(LAPTOP, big, 1);
            assertThat(restored.conflicts()).isEmpty();
            ByteArrayOutputStream now = new ByteArrayOutputStream();
            vault.read(vault.version(big, 0).orElseThrow().version(), now);
            assertThat(now.toByteArray()).isEqualTo(file);
            assertThat(vault.tree("notes/", false)).extracting(v -> v.version().path().value())
                    .containsExactly("notes/big.bin", "notes/big.conflict-laptop-20261126-150405.bin");
            VaultService.CheckReport check = vault.check();
            assertThat(check.problems()).isEmpty();
            assertThat(check.commits()).isEqualTo(4);
        }
    }
}
