package io.cervella.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.backup.lock.RepositoryLock;
import io.cervella.backup.prune.Pruner;
import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.run.BackupRunner;
import io.cervella.backup.run.Progress;
import io.cervella.backup.snapshot.Snapshot;
import io.cervella.backup.snapshot.Snapshots;
import io.cervella.backup.source.Source;
import io.cervella.backup.source.SourceFile;
import io.cervella.backup.verify.Verifier;
import io.cervella.core.blob.LocalBlobStore;
import io.cervella.core.crypto.Unlock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run that dies half way, a damaged pack, and locks in each other's way. */
class BackupFaultsTest {
    @TempDir Path tmp;

    /** 30 files of 1 MiB each (random: every chunk new); reading file {@code failAt} fails, when >= 0. */
    private static Source files(int failAt) {
        return new Source() {
            @Override
            public String name() {
                return "vault";
            }

            @Override
            public List<SourceFile> files() {
                List<SourceFile> out = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    int n = i;
                    out.add(new SourceFile("vault/f" + i, 1 << 20, 1, () -> {
                        if (n == failAt) {
                            throw new IOException("the disk went away");
                        }
                        byte[] b = new byte[1 << 20];
                        new Random(n).nextBytes(b);
                        return (InputStream) new ByteArrayInputStream(b);
                    }));
                }
                return out;
            }
        };
    }

    @Test
    void aRunThatFailsHalfWayLeavesNoSnapshotAndTheNextRunReusesWhatItWrote() throws Exception {
        BackupRepository repo = BackupRepository.create(new LocalBlobStore(tmp.resolve("repo")), new Unlock.Passphrase("pw"));
        assertThatThrownBy(() -> new BackupRunner(repo, "h", Progress.NONE).run(List.of(files(25)), List.of()))
                .hasMessageContaining("the disk went away");
        assertThat(Snapshots.list(repo)).isEmpty();
        assertThat(repo.store().list("data/")).as("full packs written before the failure").isNotEmpty();
        assertThat(repo.store().list("index/")).isEmpty();
        assertThat(repo.store().list("locks/")).as("the lock released").isEmpty();

        Snapshot s = new BackupRunner(repo, "h", Progress.NONE).run(List.of(files(-1)), List.of());
        assertThat(s.summary().newBytes()).as("the failed run's packs were reused").isLessThan(30L << 20);
        assertThat(new Verifier(repo, Progress.NONE).verify(100).problems()).isEmpty();
    }

    @Test
    void verifyNamesADamagedPackAndAMissingOne() throws Exception {
        Path dir = tmp.resolve("repo");
        BackupRepository repo = BackupRepository.create(new LocalBlobStore(dir), new Unlock.Passphrase("pw"));
        new BackupRunner(repo, "h", Progress.NONE).run(List.of(files(-1)), List.of());
        List<String> packs = new ArrayList<>(repo.store().list("data/"));
        assertThat(packs).hasSizeGreaterThan(2);
        // data packs first (the largest): the small tree pack is read by every verify, rot in it is found at 0%
        packs.sort(java.util.Comparator.comparingLong((String n) -> dir.resolve(n).toFile().length()).reversed());
        Path damaged = dir.resolve(packs.get(0));
        byte[] bytes = Files.readAllBytes(damaged);
        bytes[1000] ^= 0x40; // one bit of rot
        Files.write(damaged, bytes);
        String damagedId = packs.get(0).substring(packs.get(0).lastIndexOf('/') + 1, packs.get(0).lastIndexOf('/') + 13);

        Verifier.Report quick = new Verifier(repo, Progress.NONE).verify(0);
        assertThat(quick.problems()).as("structure only: the rot is inside a pack").isEmpty();
        Verifier.Report full = new Verifier(repo, Progress.NONE).verify(100);
        assertThat(full.problems()).anySatisfy(p -> assertThat(p).contains("pack " + damagedId).contains("do not match its name"));
        assertThat(full.problems()).anySatisfy(p -> assertThat(p).contains("pack " + damagedId).contains("does not authenticate"));

        Files.delete(dir.resolve(packs.get(1)));
        String missingId = packs.get(1).substring(packs.get(1).lastIndexOf('/') + 1, packs.get(1).lastIndexOf('/') + 13);
        assertThat(new Verifier(repo, Progress.NONE).verify(0).problems())
                .anySatisfy(p -> assertThat(p).contains("pack " + missingId + " is missing"))
                .anySatisfy(p -> assertThat(p).contains("vault/f").contains("missing pack " + missingId));
        assertThatThrownBy(() -> new Pruner(repo, "h").prune()).hasMessageContaining("pack " + missingId + " is missing")
                .hasMessageContaining("nothing was pruned");
    }

    @Test
    void pruneWaitsForNoBackupAndBackupsShareTheRepository() throws Exception {
        BackupRepository repo = BackupRepository.create(new LocalBlobStore(tmp.resolve("repo")), new Unlock.Passphrase("pw"));
        try (RepositoryLock backup = RepositoryLock.acquire(repo, false, "node-1");
             RepositoryLock other = RepositoryLock.acquire(repo, false, "node-2")) {
            assertThatThrownBy(() -> new Pruner(repo, "node-3").prune()).isInstanceOf(RepositoryLock.LockedException.class)
                    .hasMessageContaining("locked by node-");
        }
        try (RepositoryLock prune = RepositoryLock.acquire(repo, true, "node-3")) {
            assertThatThrownBy(() -> new BackupRunner(repo, "node-1", Progress.NONE).run(List.of(files(-1)), List.of()))
                    .isInstanceOf(RepositoryLock.LockedException.class).hasMessageContaining("exclusively by node-3");
        }
        assertThat(repo.store().list("locks/")).isEmpty();
    }

    /** A folder store whose deletes of index files fail while armed: a prune dying half way through its clean-up. */
    private static final class FailingIndexDeletes implements io.cervella.core.blob.BlobStore {
        final LocalBlobStore inner;
        volatile boolean armed;

        FailingIndexDeletes(Path dir) throws IOException {
            inner = new LocalBlobStore(dir);
        }

        @Override public void put(String name, byte[] content) throws IOException { inner.put(name, content); }
        @Override public java.util.Optional<byte[]> get(String name) throws IOException { return inner.get(name); }
        @Override public byte[] get(String name, long offset, int length) throws IOException { return inner.get(name, offset, length); }
        @Override public long size(String name) throws IOException { return inner.size(name); }
        @Override public List<String> list(String prefix) throws IOException { return inner.list(prefix); }

        @Override
        public boolean delete(String name) throws IOException {
            if (armed && name.startsWith("index/")) {
                throw new IOException("connection reset");
            }
            return inner.delete(name);
        }
    }

    private static Source file(String path, int seed) {
        return new Source() {
            @Override
            public String name() {
                return "vault";
            }

            @Override
            public List<SourceFile> files() {
                byte[] b = new byte[3 << 20];
                new Random(seed).nextBytes(b);
                return List.of(new SourceFile(path, b.length, seed, () -> new ByteArrayInputStream(b)));
            }
        };
    }

    @Test
    void indexFilesAPruneFailedToDeleteNeverComeBack() throws Exception {
        FailingIndexDeletes store = new FailingIndexDeletes(tmp.resolve("repo"));
        BackupRepository repo = BackupRepository.create(store, new Unlock.Passphrase("pw"));
        new BackupRunner(repo, "h", Progress.NONE).run(List.of(file("vault/a", 1)), List.of());
        new BackupRunner(repo, "h", Progress.NONE).run(List.of(file("vault/b", 2)), List.of());
        new io.cervella.backup.forget.Forgetter(repo, "h").forget(new io.cervella.backup.forget.KeepPolicy(1, 0, 0, 0),
                java.time.ZoneOffset.UTC);
        store.armed = true;
        assertThatThrownBy(() -> new Pruner(repo, "h").prune()).hasMessageContaining("connection reset");
        store.armed = false;
        assertThat(repo.store().list("index/")).as("the new index and the old ones it supersedes").hasSize(3);

        new BackupRunner(repo, "h", Progress.NONE).run(List.of(file("vault/c", 3)), List.of());
        new io.cervella.backup.forget.Forgetter(repo, "h").forget(new io.cervella.backup.forget.KeepPolicy(1, 0, 0, 0),
                java.time.ZoneOffset.UTC);
        new Pruner(repo, "h").prune(); // deletes the packs of a and b: the leftover index files must not name them any more
        assertThat(repo.store().list("index/")).hasSize(1);
        assertThat(new Verifier(repo, Progress.NONE).verify(100).problems()).isEmpty();
        Path restored = tmp.resolve("restored");
        new io.cervella.backup.restore.Restorer(repo, Progress.NONE).restore(Snapshots.find(repo, "latest"), restored);
        assertThat(restored.resolve("vault/c")).hasSize(3 << 20);
    }

    @Test
    void aSnapshotNamingAPathOutsideTheDirectoryIsRefusedAndTheDirectoryLeftEmpty() throws Exception {
        BackupRepository repo = BackupRepository.create(new LocalBlobStore(tmp.resolve("repo")), new Unlock.Passphrase("pw"));
        Source both = new Source() {
            @Override
            public String name() {
                return "vault";
            }

            @Override
            public List<SourceFile> files() throws IOException {
                List<SourceFile> out = new ArrayList<>(file("vault/+ok", 4).files()); // '+' sorts before '.': written first
                out.addAll(file("vault/../../escape", 5).files());
                return out;
            }
        };
        Snapshot s = new BackupRunner(repo, "h", Progress.NONE).run(List.of(both), List.of());
        Path into = tmp.resolve("restore/data");
        List<String> written = new ArrayList<>();
        assertThatThrownBy(() -> new io.cervella.backup.restore.Restorer(repo, (done, total, path) -> written.add(path)).restore(s, into))
                .hasMessageContaining("outside the data directory");
        assertThat(written).as("the good file came first").contains("vault/+ok");
        assertThat(tmp.resolve("escape")).doesNotExist();
        assertThat(tmp.resolve("restore/escape")).doesNotExist();
        assertThat(into).as("emptied again, so that a restore can be run again").isEmptyDirectory();
    }

    @Test
    void aHolderWhoseLockWasTakenStopsBeforeWriting() throws Exception {
        BackupRepository repo = BackupRepository.create(new LocalBlobStore(tmp.resolve("repo")), new Unlock.Passphrase("pw"));
        try (RepositoryLock lock = RepositoryLock.acquire(repo, false, "h")) {
            lock.verifyHeld();
            for (String l : repo.store().list("locks/")) {
                repo.store().delete(l); // what a prune does to a lock it takes for stale
            }
            assertThatThrownBy(lock::verifyHeld).isInstanceOf(RepositoryLock.LockedException.class).hasMessageContaining("is gone");
        }
    }
}
