package io.cervella.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.restore.Restorer;
import io.cervella.backup.run.BackupRunner;
import io.cervella.backup.run.Progress;
import io.cervella.backup.snapshot.Snapshot;
import io.cervella.backup.snapshot.Snapshots;
import io.cervella.backup.source.DirectorySource;
import io.cervella.backup.verify.Verifier;
import io.cervella.core.blob.BlobStore;
import io.cervella.core.blob.LocalBlobStore;
import io.cervella.core.crypto.Unlock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A target that fills up half way through a run: a clear error, the earlier snapshot whole, the next run (with room) complete. */
class BackupFullDiskTest {
    @TempDir Path tmp;

    /** A folder store that refuses writes once {@code room} bytes have been written, as a full disk does. */
    private static final class FillingStore implements BlobStore {
        final LocalBlobStore inner;
        final AtomicLong room = new AtomicLong(Long.MAX_VALUE);

        FillingStore(Path dir) throws IOException {
            inner = new LocalBlobStore(dir);
        }

        @Override
        public void put(String name, byte[] content) throws IOException {
            if (room.addAndGet(-content.length) < 0) {
                throw new IOException("No space left on device");
            }
            inner.put(name, content);
        }

        @Override public Optional<byte[]> get(String name) throws IOException { return inner.get(name); }
        @Override public byte[] get(String name, long offset, int length) throws IOException { return inner.get(name, offset, length); }
        @Override public long size(String name) throws IOException { return inner.size(name); }
        @Override public java.util.List<String> list(String prefix) throws IOException { return inner.list(prefix); }
        @Override public boolean delete(String name) throws IOException { return inner.delete(name); }
    }

    @Test
    void aFullTargetFailsTheRunClearlyAndLosesNothing() throws Exception {
        Path data = tmp.resolve("data");
        Random random = new Random(3);
        for (int i = 0; i < 12; i++) {
            Path f = data.resolve("vault/packs/p" + i);
            Files.createDirectories(f.getParent());
            byte[] b = new byte[4 << 20];
            random.nextBytes(b);
            Files.write(f, b);
        }
        FillingStore store = new FillingStore(tmp.resolve("repo"));
        BackupRepository repo = BackupRepository.create(store, new Unlock.Passphrase("pw"));
        List<io.cervella.backup.source.Source> sources = List.of(new DirectorySource("vault", data, List.of("vault")));
        Snapshot first = new BackupRunner(repo, "h", Progress.NONE).run(sources, List.of());

        for (int i = 12; i < 24; i++) { // as much again, new
            byte[] b = new byte[4 << 20];
            random.nextBytes(b);
            Files.write(data.resolve("vault/packs/p" + i), b);
        }
        store.room.set(20 << 20); // room for one pack and a bit
        assertThatThrownBy(() -> new BackupRunner(repo, "h", Progress.NONE).run(sources, List.of()))
                .hasMessageContaining("No space left on device");
        assertThat(Snapshots.list(repo)).extracting(Snapshot::id).containsExactly(first.id());
        assertThat(repo.store().list("locks/")).isEmpty();
        assertThat(new Verifier(repo, Progress.NONE).verify(100).problems()).as("the earlier snapshot is whole").isEmpty();
        new Restorer(repo, Progress.NONE).restore(first, tmp.resolve("restored-first"));
        assertThat(Files.readAllBytes(tmp.resolve("restored-first/vault/packs/p3"))).isEqualTo(Files.readAllBytes(data.resolve("vault/packs/p3")));

        store.room.set(Long.MAX_VALUE); // room made
        Snapshot second = new BackupRunner(repo, "h", Progress.NONE).run(sources, List.of());
        assertThat(second.summary().newBytes()).as("what the failed run wrote is reused").isLessThan(48L << 20);
        assertThat(new Verifier(repo, Progress.NONE).verify(100).problems()).isEmpty();
        new Restorer(repo, Progress.NONE).restore(second, tmp.resolve("restored-second"));
        assertThat(Files.readAllBytes(tmp.resolve("restored-second/vault/packs/p20"))).isEqualTo(Files.readAllBytes(data.resolve("vault/packs/p20")));
    }
}
