package io.cervella.vault.client;

import io.cervella.vault.sync.IgnoreRules;
import io.cervella.vault.tree.VaultPath;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** The synced folder on disk: what a scan finds, and the checks made before a file is written into it. */
final class LocalFiles {
    /** The folder the client keeps its state and temporary files in; never synced. */
    static final String OWN_FOLDER = ".cervella";
    static final String IGNORE_FILE = ".cervellaignore";

    /** A regular file found by a scan: its vault path, where it is, its size and modification time. */
    record Found(VaultPath path, Path file, long size, long mtimeNanos) {}

    /**
     * @param unsure paths (files, and folders that could not be read) whose absence from {@code files}
     *               says nothing: they must not be taken for deletions
     */
    record Scan(Map<String, Found> files, List<String> skipped, Set<String> unsure) {
        boolean unsure(String path) {
            if (unsure.contains(path)) {
                return true;
            }
            for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
                if (unsure.contains(path.substring(0, slash))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Whether the first segment is the client's own folder, in any case (one folder on macOS and Windows). */
    static boolean ownFolder(String firstSegment) {
        return firstSegment.equalsIgnoreCase(OWN_FOLDER);
    }

    private LocalFiles() {}

    static IgnoreRules ignoreRules(Path root) throws IOException {
        Path file = root.resolve(IGNORE_FILE);
        return Files.isRegularFile(file) ? IgnoreRules.parse(Files.readString(file)) : IgnoreRules.NONE;
    }

    /** Every regular file under {@code root} that is not ignored; symbolic links and bad names are skipped and said. */
    static Scan scan(Path root, IgnoreRules rules) throws IOException {
        Map<String, Found> files = new TreeMap<>();
        Map<String, String> byCollisionKey = new HashMap<>();
        List<String> skipped = new ArrayList<>();
        Set<String> unsure = new HashSet<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (dir.equals(root)) {
                    return FileVisitResult.CONTINUE;
                }
                String rel = relative(root, dir);
                if (ownFolder(rel) || rules.ignored(rel, true)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String rel = relative(root, file);
                if (rules.ignored(rel, false)) {
                    return FileVisitResult.CONTINUE;
                }
                unsure.add(rel); // until it is found to be a file that syncs
                if (attrs.isSymbolicLink()) {
                    skipped.add(rel + ": a symbolic link (not synced)");
                    return FileVisitResult.CONTINUE;
                }
                if (!attrs.isRegularFile()) {
                    skipped.add(rel + ": not a regular file");
                    return FileVisitResult.CONTINUE;
                }
                VaultPath path;
                try {
                    path = VaultPath.of(rel);
                } catch (IllegalArgumentException e) {
                    skipped.add(rel + ": " + e.getMessage());
                    return FileVisitResult.CONTINUE;
                }
                String other = byCollisionKey.putIfAbsent(path.collisionKey(), path.value());
                if (other != null) {
                    skipped.add(rel + ": differs from '" + other + "' only by case or Unicode form (one file on macOS and Windows)");
                    unsure.add(path.value());
                    unsure.add(other); // which of the two is the synced one depends on the walk's order
                    return FileVisitResult.CONTINUE;
                }
                unsure.remove(rel);
                files.put(path.value(), new Found(path, file, attrs.size(), attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                skipped.add(relative(root, file) + ": cannot be read (" + e.getMessage() + ")");
                unsure.add(relative(root, file)); // a folder that cannot be listed: nothing under it is gone
                return FileVisitResult.CONTINUE;
            }
        });
        return new Scan(files, skipped, unsure);
    }

    static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
    }

    /** The file's size and modification time now, or empty if it is not a regular file (gone, a folder, a link). */
    static Optional<long[]> stat(Path file) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? Optional.of(new long[] {a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS)})
                    : Optional.empty();
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Where a vault path lives in the folder, refusing one that would leave it: every folder on the way
     * must be a real folder inside {@code root}, not a symbolic link (a link could point anywhere).
     */
    static Path target(Path root, VaultPath path) throws IOException {
        Path target = root;
        String[] segments = path.value().split("/");
        for (int i = 0; i < segments.length; i++) {
            target = target.resolve(segments[i]);
            if (i < segments.length - 1 && Files.isSymbolicLink(target)) {
                throw new IOException("'" + path + "' would be written through the symbolic link " + target + "; not written");
            }
        }
        if (!target.normalize().startsWith(root.normalize()) || ownFolder(segments[0])) {
            throw new IOException("'" + path + "' is outside the synced folder; not written");
        }
        return target;
    }

    /** Makes a folder's entries (a rename, a new file) durable. */
    static void syncFolder(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems refuse to open folders; the rename is still atomic there
        }
    }
}
