package io.cervella.vault.client;

import io.cervella.vault.chunk.VaultChunking;
import io.cervella.core.chunk.ContentChunker;
import io.cervella.vault.manifest.FileVersion;
import io.cervella.vault.protocol.ChunkFrames;
import io.cervella.vault.sync.IgnoreRules;
import io.cervella.vault.tree.VaultPath;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * The pull half of a sync: other devices' versions, page by page, written into the folder. A file is
 * assembled in {@code .cervella/tmp/}, checked against its content hash, made durable and renamed
 * into place, so a reader never sees half a file; a file changed here since the last sync is never
 * overwritten (its edit is pushed next, and becomes a conflict copy if it must). Chunks the folder
 * already has (the file's old content, or the same file under another name) are not downloaded.
 */
final class Puller {
    /** Files of about this many bytes are downloaded and written together. */
    private static final long GROUP_BYTES = 64L * 1024 * 1024;

    private final Path root;
    private final VaultClient client;
    private final ContentChunker chunker;
    private final IgnoreRules rules;
    private final SyncProgress progress;

    Puller(Path root, VaultClient client, ContentChunker chunker, IgnoreRules rules, SyncProgress progress) {
        this.root = root;
        this.client = client;
        this.chunker = chunker;
        this.rules = rules;
        this.progress = progress;
    }

    /** The commit of each version being applied, by path: a failure is recorded with it. */
    private final Map<String, Long> seqOf = new HashMap<>();

    /**
     * Pulls every page after the state's seq (from further back when versions failed to be written
     * before: only those are tried again); {@code first} are versions to apply before them (conflicts'
     * current ones).
     */
    void pull(SyncState state, Tally tally, List<FileVersion> first) throws IOException {
        if (!first.isEmpty()) {
            apply(state, first, tally);
            state.save();
        }
        long replayUntil = state.seq;
        long since = state.pending.values().stream().mapToLong(s -> s - 1).min().orElse(state.seq);
        since = Math.min(since, state.seq);
        while (true) {
            JsonNode page = client.changes(since, 0, 0);
            String vaultId = page.path("vault_id").asString();
            if (state.vaultId != null && !state.vaultId.equals(vaultId)) {
                throw DeviceSync.wrongVault(state.vaultId, vaultId);
            }
            Map<String, FileVersion> latest = new LinkedHashMap<>();
            for (JsonNode v : page.path("versions")) {
                long seq = v.path("seq").asLong();
                String path = v.path("path").asString("?");
                if (seq <= replayUntil && !state.pending.containsKey(path)) {
                    continue; // applied before: only the versions that failed are tried again
                }
                try {
                    FileVersion f = FileVersion.fromJson(v);
                    latest.remove(f.path().value());
                    latest.put(f.path().value(), f);
                    seqOf.put(f.path().value(), seq);
                } catch (IllegalArgumentException e) {
                    tally.skipped.add(path + ": not written here (" + e.getMessage() + ")");
                }
            }
            apply(state, new ArrayList<>(latest.values()), tally);
            long next = page.path("next").asLong(since);
            if (next == since && latest.isEmpty()) {
                return; // nothing new: no write of the state either
            }
            since = next;
            state.seq = Math.max(state.seq, next);
            state.save();
            if (!page.path("more").asBoolean(false)) {
                return;
            }
        }
    }

    private void failed(SyncState state, FileVersion v, Tally tally, String why) {
        tally.skipped.add(why);
        state.pending.put(v.path().value(), seqOf.getOrDefault(v.path().value(), state.seq));
    }

    private void apply(SyncState state, List<FileVersion> versions, Tally tally) throws IOException {
        List<FileVersion> contents = new ArrayList<>();
        List<FileVersion> deletions = new ArrayList<>();
        for (FileVersion v : versions) {
            SyncState.Entry had = state.files.get(v.path().value());
            if (had != null && had.vector().includes(v.vector())) {
                state.pending.remove(v.path().value());
                continue; // this folder has it (its own push coming back, or a newer one)
            }
            if (rules.ignored(v.path().value(), false) || ignoredFolder(v.path())) {
                continue;
            }
            (v.deleted() ? deletions : contents).add(v);
        }
        if (!contents.isEmpty()) {
            progress.phase("receiving", contents.stream().mapToLong(FileVersion::size).sum(), contents.size());
        }
        // contents first: a rename's new name can be copied from the old before the old goes
        List<FileVersion> group = new ArrayList<>();
        long bytes = 0;
        for (FileVersion v : contents) {
            if (!group.isEmpty() && bytes + v.size() > GROUP_BYTES) {
                writeGroup(state, group, tally);
                group.clear();
                bytes = 0;
            }
            group.add(v);
            bytes += v.size();
        }
        if (!group.isEmpty()) {
            writeGroup(state, group, tally);
        }
        // a name changed only in case (or Unicode form) elsewhere: here it may be one and the same file
        Map<String, VaultPath> incoming = new HashMap<>();
        contents.forEach(v -> incoming.put(v.path().collisionKey(), v.path()));
        for (FileVersion v : deletions) {
            VaultPath renamed = incoming.get(v.path().collisionKey());
            if (renamed != null && sameFile(v.path(), renamed)) {
                // case-insensitive here: the old name is the new file; deleting it would delete the new one
                state.files.put(v.path().value(), new SyncState.Entry(v.vector(), true, 0, 0, ""));
                state.pending.remove(v.path().value());
                continue;
            }
            delete(state, v, tally);
        }
    }

    private boolean sameFile(VaultPath a, VaultPath b) {
        try {
            Path pa = LocalFiles.target(root, a);
            Path pb = LocalFiles.target(root, b);
            return Files.exists(pa) && Files.exists(pb) && Files.isSameFile(pa, pb);
        } catch (IOException e) {
            return false;
        }
    }

    private boolean ignoredFolder(VaultPath path) {
        String p = path.value();
        for (int slash = p.indexOf('/'); slash > 0; slash = p.indexOf('/', slash + 1)) {
            if (rules.ignored(p.substring(0, slash), true)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the file may be replaced: it is as the state last saw it, or absent (nothing here to lose;
     * a deletion made here was pushed before the pull began).
     */
    private static boolean clean(SyncState.Entry had, Path file) throws IOException {
        Optional<long[]> now = LocalFiles.stat(file);
        if (now.isEmpty()) {
            return !Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        if (had == null || had.deleted()) {
            return false;
        }
        if (now.get()[0] == had.size() && now.get()[1] == had.mtimeNanos()) {
            return true;
        }
        return now.get()[0] == had.size() && sha256(file).equals(had.contentHash());
    }

    private void writeGroup(SyncState state, List<FileVersion> group, Tally tally) throws IOException {
        // where each version's bytes come from: this folder (an identical file, the file's old chunks) or the vault
        Map<String, Path> identical = new HashMap<>();
        for (Map.Entry<String, SyncState.Entry> e : state.files.entrySet()) {
            Path p = root.resolve(e.getKey());
            if (!e.getValue().deleted() && !identical.containsKey(e.getValue().contentHash())
                    && LocalFiles.stat(p).map(st -> st[0] == e.getValue().size() && st[1] == e.getValue().mtimeNanos()).orElse(false)) {
                identical.put(e.getValue().contentHash(), p); // only a file as it was synced: its content is known
            }
        }
        Map<String, byte[]> have = new HashMap<>();
        List<FileVersion> todo = new ArrayList<>();
        Set<String> needed = new LinkedHashSet<>();
        for (FileVersion v : group) {
            Path file;
            try {
                file = LocalFiles.target(root, v.path());
            } catch (IOException e) {
                failed(state, v, tally, e.getMessage());
                continue;
            }
            if (Files.isDirectory(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                failed(state, v, tally, v.path() + ": a folder of that name is here; not written");
                continue;
            }
            SyncState.Entry had = state.files.get(v.path().value());
            if (!clean(had, file)) {
                if (Files.isRegularFile(file) && sha256(file).equals(v.contentHash())) {
                    adopt(state, v, file); // the same content is here already (two devices, one file)
                    continue;
                }
                tally.skipped.add(v.path() + ": changed here and on another device; the local edit is kept and sent next");
                continue;
            }
            todo.add(v);
            if (identical.containsKey(v.contentHash()) || v.size() == 0) {
                continue;
            }
            if (had != null && !had.deleted() && Files.isRegularFile(file) && had.size() > VaultChunking.SIZES.min()) {
                Set<String> wanted = new java.util.HashSet<>(v.chunks());
                try {
                    HashedFile old = HashedFile.read(chunker, new LocalFiles.Found(v.path(), file, had.size(),
                            LocalFiles.stat(file).orElseThrow()[1]), false, wanted, SyncProgress.NONE);
                    have.putAll(old.bytes());
                } catch (IOException e) {
                    // the old content cannot help: everything is downloaded
                }
            }
            for (String c : v.chunks()) {
                if (!have.containsKey(c)) {
                    needed.add(c);
                }
            }
        }
        List<String> list = new ArrayList<>(needed);
        int at = 0;
        while (at < list.size()) {
            List<ChunkFrames.Frame> frames = client.readChunks(list.subList(at, Math.min(list.size(), at + 10_000)));
            if (frames.isEmpty()) {
                throw new IOException("the server sent no chunk of those asked");
            }
            for (ChunkFrames.Frame f : frames) {
                if (!f.hash().equals(list.get(at))) {
                    throw new IOException("the server sent chunk " + f.hash() + " where " + list.get(at) + " was asked");
                }
                have.put(f.hash(), f.bytes());
                tally.bytesReceived += f.bytes().length;
                at++;
            }
        }
        // each file assembled and checked in .cervella/tmp, then all made durable together (the file system
        // commits many fsyncs in one journal write), then each renamed into place if still clean here
        Map<FileVersion, Path> assembled = new LinkedHashMap<>();
        for (FileVersion v : todo) {
            try {
                assembled.put(v, assemble(v, identical.get(v.contentHash()), have));
            } catch (IOException e) {
                failed(state, v, tally, v.path() + ": not written (" + e.getMessage() + ")");
            }
        }
        Map<FileVersion, IOException> notDurable = forceAll(assembled);
        Set<Path> folders = new java.util.HashSet<>();
        for (Map.Entry<FileVersion, Path> a : assembled.entrySet()) {
            FileVersion v = a.getKey();
            try {
                if (notDurable.containsKey(v)) {
                    throw notDurable.get(v);
                }
                Path folder = place(v, a.getValue(), state.files.get(v.path().value()));
                if (folder == null) {
                    tally.skipped.add(v.path() + ": changed here while it was being received; the local edit is kept and sent next");
                    continue;
                }
                folders.add(folder);
                state.files.put(v.path().value(), entry(v, LocalFiles.target(root, v.path())));
                state.pending.remove(v.path().value());
                tally.received++;
            } catch (IOException e) {
                failed(state, v, tally, v.path() + ": not written (" + e.getMessage() + ")");
            } finally {
                Files.deleteIfExists(a.getValue());
            }
        }
        for (Path folder : folders) {
            LocalFiles.syncFolder(folder); // the renames durable, once a folder, before the state says they happened
        }
    }

    /** Fsyncs the files, a few dozen at a time; returns those that failed, with their errors. */
    private static Map<FileVersion, IOException> forceAll(Map<FileVersion, Path> files) {
        Map<FileVersion, IOException> failed = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(32);
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (Map.Entry<FileVersion, Path> f : files.entrySet()) {
                slots.acquireUninterruptibly();
                pool.execute(() -> {
                    try (FileChannel ch = FileChannel.open(f.getValue(), StandardOpenOption.WRITE)) {
                        ch.force(true);
                    } catch (IOException e) {
                        failed.put(f.getKey(), e);
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        return failed;
    }

    private void adopt(SyncState state, FileVersion v, Path file) throws IOException {
        state.files.put(v.path().value(), entry(v, file));
        state.pending.remove(v.path().value());
    }

    private static SyncState.Entry entry(FileVersion v, Path file) throws IOException {
        long[] now = LocalFiles.stat(file).orElseThrow(() -> new IOException(file + " vanished after it was written"));
        return new SyncState.Entry(v.vector(), false, now[0], now[1], v.contentHash());
    }

    /**
     * Assembles the file in .cervella/tmp from the folder's identical file or the chunks, and checks its
     * hash; returns the temporary file (not yet fsynced: {@link #forceAll} does that for a whole group).
     */
    private Path assemble(FileVersion v, Path source, Map<String, byte[]> have) throws IOException {
        Path tmp = root.resolve(LocalFiles.OWN_FOLDER).resolve("tmp").resolve(UUID.randomUUID() + ".part");
        MessageDigest whole = HashedFile.sha256();
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch)) {
                if (source != null && Files.isRegularFile(source)) {
                    try (var in = Files.newInputStream(source)) {
                        byte[] buf = new byte[256 * 1024];
                        for (int n; (n = in.read(buf)) > 0; ) {
                            whole.update(buf, 0, n);
                            out.write(buf, 0, n);
                        }
                    }
                } else {
                    for (String c : v.chunks()) {
                        byte[] b = have.get(c);
                        if (b == null) {
                            throw new IOException("chunk " + c + " did not arrive");
                        }
                        whole.update(b);
                        out.write(b);
                        progress.advance(b.length, v.path().value());
                    }
                }
            }
            String got = HexFormat.of().formatHex(whole.digest());
            if (!got.equals(v.contentHash())) {
                throw new IOException("assembled content does not hash to the version's content hash");
            }
            Files.setLastModifiedTime(tmp, FileTime.from(v.mtime(), TimeUnit.MILLISECONDS));
            done = true;
            return tmp;
        } catch (FileAlreadyExistsException e) {
            throw new IOException("a temporary file collided: " + e.getMessage());
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Renames the durable temporary file into place if the file there is still as the state last saw
     * it; returns its folder, or null when the file changed meanwhile (then it is left alone).
     */
    private Path place(FileVersion v, Path tmp, SyncState.Entry had) throws IOException {
        Path target = LocalFiles.target(root, v.path());
        Files.createDirectories(target.getParent());
        LocalFiles.target(root, v.path()); // the folders just made are checked again
        if (!clean(had, target)) {
            return null; // saved here while the version was downloaded: the edit wins, it is pushed next
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target.getParent();
    }

    private void delete(SyncState state, FileVersion v, Tally tally) throws IOException {
        Path file;
        try {
            file = LocalFiles.target(root, v.path());
        } catch (IOException e) {
            failed(state, v, tally, e.getMessage());
            return;
        }
        SyncState.Entry had = state.files.get(v.path().value());
        state.pending.remove(v.path().value());
        if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!clean(had, file)) {
                tally.skipped.add(v.path() + ": deleted on another device but changed here; kept, and sent back next");
                return;
            }
            Files.delete(file);
            tally.received++;
            removeEmptyFolders(file.getParent());
        }
        state.files.put(v.path().value(), new SyncState.Entry(v.vector(), true, 0, 0, ""));
    }

    private void removeEmptyFolders(Path dir) throws IOException {
        while (dir != null && dir.startsWith(root) && !dir.equals(root)) {
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    return;
                }
            }
            Files.delete(dir);
            dir = dir.getParent();
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest d = HashedFile.sha256();
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
