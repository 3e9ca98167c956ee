package io.cervella.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.core.store.MetadataStore;
import io.cervella.core.blob.LocalBlobStore;
import io.cervella.vault.index.VaultIndex;
import io.cervella.core.crypto.Unlock;
import io.cervella.vault.pack.ChunkStore;
import io.cervella.vault.retention.RetentionPolicy;
import io.cervella.vault.tree.VaultPath;
import io.cervella.vault.version.CommitPlanner;
import io.cervella.vault.version.Device;
import io.cervella.vault.version.VersionVector;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention carried out: old versions and old tombstones go, with the packs only they needed; what
 * is kept stays readable, the manifests say the same as the index (a reindex rebuilds it), and check
 * is clean.
 */
class VaultPruneTest {
    @TempDir Path dir;

    /** A clock the test moves forward. */
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static final Device LAPTOP = new Device("k1", "laptop");

    private static CommitPlanner.Change put(VaultService vault, String path, VersionVector base, byte[] content) throws Exception {
        String h = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        vault.putChunk(h, content);
        return new CommitPlanner.Change(VaultPath.of(path), base, false, content.length, 1, h, List.of(h));
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void oldVersionsAndOldTombstonesGoAndWhatIsKeptStaysWhole() throws Exception {
        LocalBlobStore blobs = new LocalBlobStore(dir.resolve("vault"));
        VaultRepository repo = VaultRepository.create(blobs, new Unlock.Passphrase("p"));
        TestClock clock = new TestClock();
        try (MetadataStore db = MetadataStore.openSqlite(dir.resolve("cervella.db"))) {
            VaultIndex index = new VaultIndex(db, repo);
            VaultService vault = new VaultService(repo, ChunkStore.open(repo), index, clock);
            // diario.md: 5 versions, one a day (100 KiB each, so that each has its own pack)
            VersionVector base = VersionVector.EMPTY;
            for (int day = 0; day < 5; day++) {
                base = vault.commit(LAPTOP, List.of(put(vault, "diario.md", base, random(100_000, day)))).accepted().getFirst().vector();
                clock.now = clock.now.plus(Duration.ofDays(1));
            }
            // vecchio.md: created, then deleted 40 days ago
            VersionVector v = vault.commit(LAPTOP, List.of(put(vault, "vecchio.md", VersionVector.EMPTY, random(50_000, 99))))
                    .accepted().getFirst().vector();
            vault.commit(LAPTOP, List.of(new CommitPlanner.Change(VaultPath.of("vecchio.md"), v, true, 0, 1, "", List.of())));
            clock.now = clock.now.plus(Duration.ofDays(40));
            long packsBefore = blobs.list("packs/").size();

            // keep 30 days, and the last 2 versions of each path
            RetentionPolicy policy = new RetentionPolicy(Duration.ofDays(30), 2);
            VaultService.PruneReport dry = vault.prune(policy, true);
            assertThat(dry.versionsDropped()).isEqualTo(3 + 2);
            assertThat(vault.history(VaultPath.of("diario.md"))).hasSize(5);

            VaultService.PruneReport r = vault.prune(policy, false);
            assertThat(r.versionsDropped()).isEqualTo(5);
            assertThat(r.pathsForgotten()).isEqualTo(1);
            assertThat(r.bytesFreed()).isPositive();
            assertThat(blobs.list("packs/").size()).isLessThan((int) packsBefore);
            assertThat(vault.history(VaultPath.of("diario.md"))).extracting(VaultIndex.Versioned::seq).containsExactly(4L, 5L);
            assertThat(vault.history(VaultPath.of("vecchio.md"))).isEmpty();
            ByteArrayOutputStream now = new ByteArrayOutputStream();
            vault.read(vault.version(VaultPath.of("diario.md"), 0).orElseThrow().version(), now);
            assertThat(now.toByteArray()).isEqualTo(random(100_000, 4));
            assertThat(vault.check().problems()).isEmpty();

            // the manifests were written again without the dropped versions: a rebuilt index is the same
            assertThat(vault.reindex()).isEqualTo(7);
            assertThat(vault.history(VaultPath.of("diario.md"))).extracting(VaultIndex.Versioned::seq).containsExactly(4L, 5L);
            assertThat(vault.tree("", true)).extracting(x -> x.version().path().value()).containsExactly("diario.md");
            // and a vault opened afresh reads everything kept from its packs
            VaultService reopened = new VaultService(repo, ChunkStore.open(repo), index, clock);
            assertThat(reopened.check().problems()).isEmpty();
            assertThat(reopened.prune(policy, false).versionsDropped()).as("nothing more to drop").isZero();
        }
    }
}
