package io.cervella.backup.restore;

import io.cervella.backup.index.BlobReader;
import io.cervella.backup.index.RepositoryIndex;
import io.cervella.backup.pack.BlobId;
import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.repo.RepositoryKeys;
import io.cervella.backup.run.Progress;
import io.cervella.backup.snapshot.Snapshot;
import io.cervella.backup.tree.Tree;
import io.cervella.backup.tree.TreeEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.List;

/**
 * Writes a snapshot's files into a data directory (docs/formats/backup.md, restore): each at its path
 * there, through a temporary name, every blob's tag and id checked (on two threads, ahead of the
 * writer), then renamed. The directory must be new or empty: a restore never mixes with a platform's
 * live files. Files are not fsynced one by one (thousands of fsyncs cost more than the restore): the
 * OS writes them back. A restore that fails empties the directory again, so that it can be run again.
 */
public final class Restorer {
    private final BackupRepository repo;
    private final Progress progress;

    public Restorer(BackupRepository repo, Progress progress) {
        this.repo = repo;
        this.progress = progress;
    }

    /** What a restore wrote. */
    public record Result(long files, long bytes) {}

    public Result restore(Snapshot snapshot, Path dataDir) throws IOException, RepositoryKeys.DamagedException {
        // shared: backups go on, a prune waits (it must not repack what is being read)
        try (io.cervella.backup.lock.HeldLock lock = io.cervella.backup.lock.RepositoryLock.forReading(repo, io.cervella.backup.lock.RepositoryLock.localHost())) {
            return restoreLocked(snapshot, dataDir);
        }
    }

    private Result restoreLocked(Snapshot snapshot, Path dataDir) throws IOException, RepositoryKeys.DamagedException {
        if (Files.exists(dataDir)) {
            try (var list = Files.list(dataDir)) {
                if (list.findAny().isPresent()) {
                    throw new IllegalArgumentException(dataDir + " is not empty: restore into a new data directory");
                }
            }
        }
        createPrivateDirectories(dataDir);
        Path root = dataDir.toRealPath();
        try {
            return write(snapshot, root);
        } catch (IOException | RepositoryKeys.DamagedException | RuntimeException e) {
            // a restore cut short leaves the directory empty again, so that it can simply be run again
            try (var list = Files.list(root)) {
                for (Path p : list.toList()) {
                    deleteTree(p);
                }
            } catch (IOException more) {
                e.addSuppressed(more);
            }
            throw e;
        }
    }

    private Result write(Snapshot snapshot, Path root) throws IOException, RepositoryKeys.DamagedException {
        RepositoryIndex index = RepositoryIndex.load(repo);
        BlobReader reader = new BlobReader(repo, index);
        List<TreeEntry> all = new ArrayList<>();
        for (BlobId treeId : snapshot.trees().values()) {
            Tree tree = reader.readTree(treeId);
            all.addAll(tree.entries());
        }
        long total = all.stream().mapToLong(TreeEntry::size).sum();
        long done = 0;
        // blobs are fetched, opened and checked ahead, on two threads, in the order they are written
        List<BlobId> order = all.stream().flatMap(e -> e.content().stream()).toList();
        ExecutorService fetchers = Executors.newFixedThreadPool(FETCHERS, Thread.ofPlatform().name("restore-fetch").daemon().factory());
        ArrayDeque<Future<byte[]>> ahead = new ArrayDeque<>();
        int submitted = 0;
        try {
            for (TreeEntry e : all) {
                Path target = root.resolve(e.path()).normalize();
                if (!target.startsWith(root) || target.equals(root) || e.path().startsWith("/") || e.path().contains("\\")
                        || java.util.Arrays.stream(e.path().split("/", -1)).anyMatch(seg -> seg.isEmpty() || seg.equals(".") || seg.equals(".."))) {
                    throw new RepositoryKeys.DamagedException("the snapshot names a file outside the data directory: " + e.path());
                }
                createPrivateDirectories(target.getParent());
                Path tmp = target.resolveSibling(target.getFileName() + ".restore-tmp");
                long written = 0;
                try (OutputStream out = java.nio.channels.Channels.newOutputStream(Files.newByteChannel(tmp, java.util.Set.of(
                        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))))) {
                    for (int i = 0; i < e.content().size(); i++) {
                        while (submitted < order.size() && ahead.size() < AHEAD) {
                            BlobId id = order.get(submitted++);
                            ahead.add(fetchers.submit(() -> reader.read(id)));
                        }
                        byte[] plain = take(ahead.poll());
                        out.write(plain);
                        written += plain.length;
                        done += plain.length;
                        progress.update(done, total, e.path());
                    }
                }
                if (written != e.size()) {
                    Files.deleteIfExists(tmp);
                    throw new RepositoryKeys.DamagedException(e.path() + ": restored " + written + " bytes, the snapshot says " + e.size());
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                if (e.mtime() > 0) {
                    Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.fromMillis(e.mtime()));
                }
            }
        } finally {
            fetchers.shutdownNow();
        }
        return new Result(all.size(), done);
    }

    /** Deletes a folder and what it holds (a restore's PostgreSQL exports once loaded, a drill's scratch). */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static final int FETCHERS = 2;
    private static final int AHEAD = 8;

    private static byte[] take(Future<byte[]> f) throws IOException, RepositoryKeys.DamagedException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RepositoryKeys.DamagedException d) {
                throw d;
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    private static void createPrivateDirectories(Path dir) throws IOException {
        if (dir == null || Files.isDirectory(dir)) {
            return;
        }
        createPrivateDirectories(dir.toAbsolutePath().getParent());
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
}
