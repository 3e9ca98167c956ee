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
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes a snapshot's files into a data directory (docs/formats/backup.md, restore): each at its path
 * there, through a temporary name, every blob's tag and id checked, flushed, then renamed. The
 * directory must be new or empty: a restore never mixes with a platform's live files.
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
        if (Files.exists(dataDir)) {
            try (var list = Files.list(dataDir)) {
                if (list.findAny().isPresent()) {
                    throw new IllegalArgumentException(dataDir + " is not empty: restore into a new data directory");
                }
            }
        }
        createPrivateDirectories(dataDir);
        Path root = dataDir.toRealPath();
        RepositoryIndex index = RepositoryIndex.load(repo);
        BlobReader reader = new BlobReader(repo, index);
        List<TreeEntry> all = new ArrayList<>();
        for (BlobId treeId : snapshot.trees().values()) {
            Tree tree = reader.readTree(treeId);
            all.addAll(tree.entries());
        }
        long total = all.stream().mapToLong(TreeEntry::size).sum();
        long done = 0;
        for (TreeEntry e : all) {
            Path target = root.resolve(e.path()).normalize();
            if (!target.startsWith(root) || e.path().startsWith("/") || e.path().contains("\\")) {
                throw new RepositoryKeys.DamagedException("the snapshot names a file outside the data directory: " + e.path());
            }
            createPrivateDirectories(target.getParent());
            Path tmp = target.resolveSibling(target.getFileName() + ".restore-tmp");
            long written = 0;
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                 OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                for (BlobId id : e.content()) {
                    byte[] plain = reader.read(id);
                    out.write(plain);
                    written += plain.length;
                    done += plain.length;
                    progress.update(done, total, e.path());
                }
                out.flush();
                ch.force(true);
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

    private static void createPrivateDirectories(Path dir) throws IOException {
        if (dir == null || Files.isDirectory(dir)) {
            return;
        }
        createPrivateDirectories(dir.toAbsolutePath().getParent());
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
}
