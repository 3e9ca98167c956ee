package io.cervella.core.blob;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Blobs as files under a folder (DATA/vault by default). A put writes a temporary file in the target's
 * folder, forces it to disk, renames it over the name and forces the folder, so that a blob is either
 * absent or whole after a crash, and present once put returned.
 */
public final class LocalBlobStore implements BlobStore {
    private static final String TEMP_SUFFIX = ".tmp";
    private final Path root;

    public LocalBlobStore(Path root) throws IOException {
        this.root = Files.createDirectories(root).toRealPath();
    }

    private Path path(String name) {
        return root.resolve(BlobStore.checkName(name));
    }

    @Override
    public void put(String name, byte[] content) throws IOException {
        Path target = path(name);
        Path dir = Files.createDirectories(target.getParent());
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temp);
            throw new IOException(root + " does not support atomic renames; the vault needs a local file system", e);
        }
        forceDirectory(dir);
    }

    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public Optional<byte[]> get(String name) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(path(name)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public byte[] get(String name, long offset, int length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(path(name).toFile(), "r")) {
            if (offset < 0 || length < 0 || offset + length > f.length()) {
                throw new IOException(name + ": bytes " + offset + "+" + length + " lie past its end (" + f.length() + ")");
            }
            byte[] out = new byte[length];
            f.seek(offset);
            f.readFully(out);
            return out;
        }
    }

    @Override
    public long size(String name) throws IOException {
        try {
            return Files.size(path(name));
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        List<String> out = new ArrayList<>();
        // a walk, not Files.walk: a blob renamed or deleted by another writer meanwhile is skipped, not an error
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path p, java.nio.file.attribute.BasicFileAttributes attrs) {
                String name = root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
                if (attrs.isRegularFile() && name.startsWith(prefix) && !p.getFileName().toString().endsWith(TEMP_SUFFIX)) {
                    out.add(name);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
                if (e instanceof java.nio.file.NoSuchFileException) {
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        out.sort(null);
        return out;
    }

    @Override
    public boolean delete(String name) throws IOException {
        Path p = path(name);
        boolean deleted = Files.deleteIfExists(p);
        if (deleted) {
            forceDirectory(p.getParent());
        }
        return deleted;
    }
}
