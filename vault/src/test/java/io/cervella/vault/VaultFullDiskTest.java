package io.cervella.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.core.store.MetadataStore;
import io.cervella.core.blob.BlobStore;
import io.cervella.core.blob.LocalBlobStore;
import io.cervella.vault.index.VaultIndex;
import io.cervella.core.crypto.Unlock;
import io.cervella.vault.pack.ChunkStore;
import io.cervella.vault.tree.VaultPath;
import io.cervella.vault.version.CommitPlanner;
import io.cervella.vault.version.Device;
import io.cervella.vault.version.VersionVector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk under the vault (the store's writes fail as the kernel's ENOSPC does): the commit that
 * met it fails and is not visible, what was committed before stays readable, and once there is room
 * the same push goes through without sending its chunks again.
 */
class VaultFullDiskTest {
    @TempDir Path dir;

    /** A local store whose writes fail while {@code full} is set, with the message the kernel gives. */
    private static final class FillableStore implements BlobStore {
        final LocalBlobStore inner;
        volatile boolean full;

        FillableStore(LocalBlobStore inner) {
            this.inner = inner;
        }

        @Override
        public void put(String name, byte[] content) throws IOException {
            if (full) {
                throw new IOException("No space left on device");
            }
            inner.put(name, content);
        }

        @Override
        public Optional<byte[]> get(String name) throws IOException {
            return inner.get(name);
        }

        @Override
        public byte[] get(String name, long offset, int length) throws IOException {
            return inner.get(name, offset, length);
        }

        @Override
        public long size(String name) throws IOException {
            return inner.size(name);
        }

        @Override
        public List<String> list(String prefix) throws IOException {
            return inner.list(prefix);
        }

        @Override
        public boolean delete(String name) throws IOException {
            return inner.delete(name);
        }

        @Override
        public void close() {}
    }

    private static CommitPlanner.Change put(VaultService vault, String path, String text) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        String h = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        vault.putChunk(h, b);
        return new CommitPlanner.Change(VaultPath.of(path), VersionVector.EMPTY, false, b.length, 1, h, List.of(h));
    }

    @Test
    void aFullDiskFailsTheCommitAndLosesNothing() throws Exception {
        FillableStore store = new FillableStore(new LocalBlobStore(dir.resolve("vault")));
        VaultRepository repo = VaultRepository.create(store, new Unlock.Passphrase("p"));
        Device laptop = new Device("k1", "laptop");
        try (MetadataStore db = MetadataStore.openSqlite(dir.resolve("cervella.db"))) {
            VaultService vault = new VaultService(repo, ChunkStore.open(repo), new VaultIndex(db, repo), Clock.systemUTC());
            vault.commit(laptop, List.of(put(vault, "prima.md", "prima nota")));

            store.full = true;
            CommitPlanner.Change second = put(vault, "seconda.md", "seconda nota");
            assertThatThrownBy(() -> vault.commit(laptop, List.of(second))).isInstanceOf(IOException.class)
                    .hasMessageContaining("No space left");
            assertThat(vault.head()).isEqualTo(1);
            assertThat(vault.tree("", true)).extracting(v -> v.version().path().value()).containsExactly("prima.md");
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            vault.read(vault.version(VaultPath.of("prima.md"), 0).orElseThrow().version(), first);
            assertThat(first.toString(StandardCharsets.UTF_8)).isEqualTo("prima nota");

            // room again: the chunk received before is still held, the same commit now goes through
            store.full = false;
            assertThat(vault.missing(second.chunks())).isEmpty();
            assertThat(vault.commit(laptop, List.of(second)).seq()).isEqualTo(2);
            assertThat(vault.check().problems()).isEmpty();
        }
    }
}
