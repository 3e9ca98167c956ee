package io.cervella.vault.client;

import io.cervella.vault.chunk.VaultChunking;
import io.cervella.core.http.Json;
import io.cervella.core.chunk.ContentChunker;
import io.cervella.core.chunk.GearTable;
import io.cervella.vault.manifest.FileVersion;
import io.cervella.vault.protocol.ChunkFrames;
import io.cervella.vault.sync.IgnoreRules;
import io.cervella.vault.tree.VaultPath;
import io.cervella.vault.version.VersionVector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One two-way sync of a folder with the vault (docs/formats/vault.md, Sync protocol): local changes
 * since the last run are found by size and modification time (the content hash decides when those
 * moved), pushed in groups (the chunks the vault lacks, then a commit), and the vault's answers
 * recorded (a conflict copy takes the local edit's place); then other devices' changes are pulled.
 * The state is saved after every commit and every page pulled, so an interrupted run resumes.
 */
public final class DeviceSync {
    /** A run would propagate the deletion of more than half of the folder's files. */
    public static final class MassDeleteException extends IOException {
        MassDeleteException(int deleted, int total) {
            super(deleted + " of the " + total + " synced files are gone from this folder; their deletion was not sent."
                    + " If that is meant, run again with --allow-mass-delete");
        }
    }

    /** Files of about this many bytes are hashed, sent and committed together (a few such groups are held at once). */
    static final long GROUP_BYTES = Math.min(96L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 10);
    static final int GROUP_FILES = 4_000;
    /** Above this much to send, the crypto is warmed up first (it pays back within a few seconds). */
    static final long WARMUP_BYTES = 64L * 1024 * 1024;
    /** Chunk batches on their way at once: the server seals one while the next arrives. */
    static final int UPLOADS_IN_FLIGHT = 2;

    private final Path root;
    private final VaultClient client;
    private final SyncProgress progress;
    private final boolean allowMassDelete;

    public DeviceSync(Path root, VaultClient client, SyncProgress progress, boolean allowMassDelete) throws IOException {
        this.root = root.toRealPath();
        this.client = client;
        this.progress = progress;
        this.allowMassDelete = allowMassDelete;
    }

    public Path root() {
        return root;
    }

    public SyncReport run() throws IOException {
        SyncState state = SyncState.load(root);
        Tally tally = new Tally();
        if (state.gearTable == null) {
            JsonNode info = client.info();
            String vaultId = info.path("vault_id").asString();
            if (state.vaultId != null && !state.vaultId.equals(vaultId)) {
                throw wrongVault(state.vaultId, vaultId);
            }
            state.vaultId = vaultId;
            state.deviceId = info.path("device").path("id").asString();
            state.gearTable = GearTable.fromBase64(info.path("chunking").path("gear_table").asString());
            state.maxBodyBytes = info.path("max_body_bytes").asLong(4L * 1024 * 1024);
            state.save();
        }
        ContentChunker chunker = VaultChunking.chunker(state.gearTable);
        maxBodyBytes = state.maxBodyBytes;
        IgnoreRules rules = LocalFiles.ignoreRules(root);
        long scanStarted = System.currentTimeMillis() * 1_000_000L;
        LocalFiles.Scan scan = LocalFiles.scan(root, rules);
        tally.skipped.addAll(scan.skipped());
        Files.createDirectories(root.resolve(LocalFiles.OWN_FOLDER).resolve("tmp"));

        // what changed here since the last run
        List<LocalFiles.Found> changed = new ArrayList<>();
        for (LocalFiles.Found f : scan.files().values()) {
            SyncState.Entry e = state.files.get(f.path().value());
            if (e == null || e.deleted() || e.size() != f.size() || e.mtimeNanos() != f.mtimeNanos()) {
                changed.add(f);
            }
        }
        List<VaultPath> deleted = new ArrayList<>();
        int live = 0;
        for (Map.Entry<String, SyncState.Entry> e : state.files.entrySet()) {
            if (e.getValue().deleted()) {
                continue;
            }
            live++;
            String path = e.getKey();
            if (!scan.files().containsKey(path) && !scan.unsure(path) && !rules.ignored(path, false)) {
                deleted.add(VaultPath.of(path));
            }
        }
        // a file moved to a new name is not lost: a new file of the same size as a gone one makes up for it
        Map<Long, Integer> newSizes = new HashMap<>();
        for (LocalFiles.Found f : changed) {
            SyncState.Entry e = state.files.get(f.path().value());
            if (e == null || e.deleted()) {
                newSizes.merge(f.size(), 1, Integer::sum);
            }
        }
        int lost = 0;
        for (VaultPath p : deleted) {
            long size = state.files.get(p.value()).size();
            if (newSizes.getOrDefault(size, 0) > 0) {
                newSizes.merge(size, -1, Integer::sum);
            } else {
                lost++;
            }
        }
        if (lost > 1 && lost * 2 > live && !allowMassDelete) {
            throw new MassDeleteException(deleted.size(), live);
        }
        List<FileVersion> current = new ArrayList<>();
        chain = state.seq;
        push(state, chunker, changed, deleted, scanStarted, tally, current);
        if (chain > state.seq) {
            // this run's commits followed each other with no other device's between them: nothing to pull up to there
            state.seq = chain;
            state.save();
        }
        new Puller(root, client, chunker, rules, progress).pull(state, tally, current);
        return tally.report(state.seq);
    }

    /**
     * Only the pull: for a run woken by another device's change when nothing changed here (`--watch`
     * knows from the file events), without scanning the folder first. A file edited here meanwhile is
     * still never overwritten (the pull checks each file it replaces); its event brings the next run.
     */
    public SyncReport pullOnly() throws IOException {
        SyncState state = SyncState.load(root);
        if (state.gearTable == null) {
            return run(); // never synced: a whole run
        }
        Tally tally = new Tally();
        ContentChunker chunker = VaultChunking.chunker(state.gearTable);
        Files.createDirectories(root.resolve(LocalFiles.OWN_FOLDER).resolve("tmp"));
        new Puller(root, client, chunker, LocalFiles.ignoreRules(root), progress).pull(state, tally, new ArrayList<>());
        return tally.report(state.seq);
    }

    static IOException wrongVault(String had, String now) {
        return new IOException("this folder was synced with vault " + had + ", the server holds vault " + now
                + "; sync another folder (or move .cervella/ away to start over with this one)");
    }

    /** Pushes; {@code current} gets the vault's current versions of paths in conflict, to be written here. */
    private void push(SyncState state, ContentChunker chunker, List<LocalFiles.Found> changed, List<VaultPath> deleted,
                      long scanStarted, Tally tally, List<FileVersion> current) throws IOException {
        long total = changed.stream().mapToLong(LocalFiles.Found::size).sum();
        if (!changed.isEmpty()) {
            progress.phase("sending", total, changed.size());
        }
        if (total > WARMUP_BYTES) {
            io.cervella.core.tls.CryptoWarmup.start(io.cervella.core.tls.CryptoWarmup.SENDER, null); // a big upload: TLS at full speed from its start
        }
        List<List<LocalFiles.Found>> groups = new ArrayList<>();
        List<LocalFiles.Found> group = new ArrayList<>();
        long groupBytes = 0;
        for (LocalFiles.Found f : changed) {
            if (!group.isEmpty() && (groupBytes + f.size() > GROUP_BYTES || group.size() >= GROUP_FILES)) {
                groups.add(group);
                group = new ArrayList<>();
                groupBytes = 0;
            }
            group.add(f);
            groupBytes += f.size();
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        // the next group is read and hashed while this one is sent and committed
        java.util.concurrent.BlockingQueue<HashedGroup> ready = new java.util.concurrent.ArrayBlockingQueue<>(1);
        Map<String, SyncState.Entry> known = Map.copyOf(state.files);
        // one group hashed, one sent, one committed; a single group gets a buffer of its own size
        GroupBuffers buffers = new GroupBuffers((int) (groups.size() > 1 ? GROUP_BYTES : 0), 3);
        Thread hasher = Thread.ofPlatform().name("vault-hash").daemon().start(() -> {
            try {
                for (List<LocalFiles.Found> g : groups) {
                    ready.put(hashGroup(chunker, g, known, buffers));
                }
            } catch (InterruptedException e) {
                // the push stopped
            } catch (Throwable t) { // out of memory, a bug: the push must hear of it, not wait for a group forever
                try {
                    ready.put(new HashedGroup(Map.of(), List.of(), List.of(), null, t));
                } catch (InterruptedException e) {
                    // the push stopped
                }
            }
        });
        try {
            for (int i = 0; i < groups.size(); i++) {
                HashedGroup h;
                try {
                    h = ready.take();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException("interrupted");
                }
                if (h.failure() != null) {
                    throw new IOException("reading the files to send failed: " + h.failure(), h.failure());
                }
                pushGroup(state, h, chunker, scanStarted, tally, current, buffers);
            }
            finishCommit(state, scanStarted, tally, current, buffers);
        } finally {
            hasher.interrupt();
        }
        if (!deleted.isEmpty()) {
            List<ObjectNode> files = new ArrayList<>();
            Map<String, HashedFile> none = Map.of();
            for (VaultPath p : deleted) {
                ObjectNode o = Json.object();
                o.put("path", p.value());
                vector(o.putObject("base"), state.files.get(p.value()).vector());
                o.put("deleted", true);
                o.put("mtime", System.currentTimeMillis());
                files.add(o);
            }
            applyCommit(state, commit(files, none, chunker, tally), none, scanStarted, tally, current);
        }
    }

    /** A group read and hashed: files with new content, files only touched (same content), what could not be read. */
    private record HashedGroup(Map<String, HashedFile> hashed, List<HashedFile> touched, List<String> skipped, byte[] buffer,
                               Throwable failure) {}

    private HashedGroup hashGroup(ContentChunker chunker, List<LocalFiles.Found> group, Map<String, SyncState.Entry> known,
                                  GroupBuffers buffers) throws InterruptedException {
        // a group small enough to hold is read into one buffer and sent from there; a single larger file is read again to send
        long groupBytes = group.stream().mapToLong(LocalFiles.Found::size).sum();
        byte[] buffer = groupBytes <= GROUP_BYTES ? buffers.take(groupBytes) : null;
        MessageDigest each = HashedFile.sha256();
        MessageDigest whole = HashedFile.sha256();
        int offset = 0;
        Map<String, HashedFile> hashed = new LinkedHashMap<>();
        List<HashedFile> touched = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (LocalFiles.Found f : group) {
            try {
                HashedFile h = buffer != null ? HashedFile.readInto(chunker, f, buffer, offset, each, whole, progress)
                        : HashedFile.read(chunker, f, false, null, progress);
                offset += (int) f.size();
                SyncState.Entry e = known.get(f.path().value());
                if (e != null && !e.deleted() && e.contentHash().equals(h.contentHash())) {
                    touched.add(h);
                } else {
                    hashed.put(f.path().value(), h);
                }
            } catch (HashedFile.ChangedWhileReadException e) {
                skipped.add(e.getMessage());
            } catch (java.nio.file.NoSuchFileException e) {
                // deleted since the scan: the next run sends the deletion
            } catch (IOException e) {
                skipped.add(f.path() + ": cannot be read (" + e.getMessage() + ")");
            }
        }
        return new HashedGroup(hashed, touched, skipped, buffer, null);
    }

    private void pushGroup(SyncState state, HashedGroup group, ContentChunker chunker, long scanStarted, Tally tally,
                           List<FileVersion> current, GroupBuffers buffers) throws IOException {
        tally.skipped.addAll(group.skipped());
        for (HashedFile h : group.touched()) {
            // only touched: the same content; its new time is kept so that it is not read again
            state.files.put(h.path().value(), entry(state.files.get(h.path().value()).vector(), h, scanStarted));
        }
        Map<String, HashedFile> hashed = group.hashed();
        if (hashed.isEmpty()) {
            buffers.release(group.buffer());
            state.save();
            return;
        }
        Set<String> all = new LinkedHashSet<>();
        hashed.values().forEach(h -> all.addAll(h.chunks()));
        List<String> missing = new ArrayList<>();
        List<String> list = new ArrayList<>(all);
        for (int i = 0; i < list.size(); i += 10_000) {
            missing.addAll(client.missing(list.subList(i, Math.min(list.size(), i + 10_000))));
        }
        upload(missing, hashed, chunker, tally);
        List<ObjectNode> files = new ArrayList<>();
        for (HashedFile h : hashed.values()) {
            if (h.path() == null) {
                continue;
            }
            ObjectNode o = Json.object();
            o.put("path", h.path().value());
            SyncState.Entry e = state.files.get(h.path().value());
            vector(o.putObject("base"), e == null ? VersionVector.EMPTY : e.vector());
            o.put("deleted", false);
            o.put("size", h.size());
            o.put("mtime", h.mtimeNanos() / 1_000_000);
            o.put("content_hash", h.contentHash());
            h.chunks().forEach(o.putArray("chunks")::add);
            files.add(o);
        }
        // the commit runs while the next group is asked about and sent; results are applied in order
        finishCommit(state, scanStarted, tally, current, buffers);
        Tally own = new Tally();
        java.util.concurrent.CompletableFuture<JsonNode> result = new java.util.concurrent.CompletableFuture<>();
        Thread.ofVirtual().name("vault-commit").start(() -> {
            try {
                result.complete(commit(files, hashed, chunker, own));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        inFlight = new InFlightCommit(result, hashed, own, group.buffer());
    }

    /** A commit on its way, with what its result is applied to. */
    private record InFlightCommit(java.util.concurrent.CompletableFuture<JsonNode> result, Map<String, HashedFile> hashed, Tally tally,
                                  byte[] buffer) {}

    private InFlightCommit inFlight;

    /** Waits for the commit on its way, if any, and records its result. */
    private void finishCommit(SyncState state, long scanStarted, Tally tally, List<FileVersion> current, GroupBuffers buffers)
            throws IOException {
        InFlightCommit c = inFlight;
        if (c == null) {
            return;
        }
        inFlight = null;
        JsonNode result;
        try {
            result = c.result().join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
        buffers.release(c.buffer()); // the commit is in: its chunks will not be sent again
        tally.bytesSent += c.tally().bytesSent;
        tally.skipped.addAll(c.tally().skipped);
        applyCommit(state, result, c.hashed(), scanStarted, tally, current);
    }

    /** Commits; chunks the vault says it still lacks (lost with a restarted server) are sent and the commit retried. */
    private JsonNode commit(List<ObjectNode> files, Map<String, HashedFile> hashed, ContentChunker chunker, Tally tally)
            throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return client.commit(files);
            } catch (VaultClient.ServerException e) {
                if (e.status() != 409 || !e.code().equals("missing_chunks") || attempt >= 3) {
                    throw e;
                }
                List<String> missing = new ArrayList<>();
                e.body().path("missing").forEach(h -> missing.add(h.asString()));
                upload(missing, hashed, chunker, tally);
            }
        }
    }

    /** Sends the chunks the vault lacks, in batches that fit a request, from memory or read again. */
    private long maxBodyBytes;
    /** The last commit of an unbroken run of this device's own commits after the state's seq, or -1 once broken. */
    private long chain;

    private void upload(List<String> missing, Map<String, HashedFile> hashed, ContentChunker chunker, Tally tally) throws IOException {
        if (missing.isEmpty()) {
            return;
        }
        Set<String> wanted = new HashSet<>(missing);
        // under the server's body limit, with room for a frame's header; never less than one largest chunk
        int batchLimit = (int) Math.max(ChunkFrames.frameSize(VaultChunking.SIZES.max()),
                Math.min(8L * 1024 * 1024, (maxBodyBytes > 0 ? maxBodyBytes : 4L * 1024 * 1024) - 64 * 1024));
        try (BatchSender sender = new BatchSender(client, UPLOADS_IN_FLIGHT, frameBuffers(batchLimit))) {
            sendChunks(sender, wanted, hashed, chunker, tally, batchLimit);
            sender.awaitAll();
        }
    }

    /** Fills frame buffers with the wanted chunks of the files and hands them to the sender. */
    private void sendChunks(BatchSender sender, Set<String> wanted, Map<String, HashedFile> hashed, ContentChunker chunker,
                            Tally tally, int batchLimit) throws IOException {
        byte[] batch = sender.buffer();
        int filled = 0;
        try {
            Set<String> sent = new HashSet<>();
            for (Map.Entry<String, HashedFile> entry : new ArrayList<>(hashed.entrySet())) {
                HashedFile h = entry.getValue();
                if (h.chunks().stream().noneMatch(wanted::contains)) {
                    continue;
                }
                Map<String, byte[]> bytes = h.bytes();
                if (!h.held() && h.chunks().stream().filter(wanted::contains).anyMatch(c -> !h.bytes().containsKey(c))) {
                    // not kept in memory: read again, and only if it is still the file that was hashed
                    try {
                        HashedFile again = HashedFile.read(chunker, new LocalFiles.Found(h.path(), h.file(), h.size(), h.mtimeNanos()),
                                false, wanted, SyncProgress.NONE);
                        if (!again.contentHash().equals(h.contentHash())) {
                            throw new HashedFile.ChangedWhileReadException(h.path());
                        }
                        bytes = again.bytes();
                    } catch (IOException e) {
                        tally.skipped.add(e.getMessage());
                        hashed.put(entry.getKey(), HashedFile.dropped(h.file()));
                        continue;
                    }
                }
                int at = h.dataOffset();
                for (int i = 0; i < h.chunks().size(); i++) {
                    String c = h.chunks().get(i);
                    int length = h.held() ? h.chunkSizes()[i] : wanted.contains(c) ? bytes.get(c).length : 0;
                    int from = at;
                    at += h.held() ? length : 0;
                    if (!wanted.contains(c) || !sent.add(c)) {
                        continue;
                    }
                    if (filled + ChunkFrames.frameSize(length) > batchLimit) {
                        byte[] full = batch;
                        batch = null; // on its way: no longer this loop's to give back
                        sender.send(full, filled);
                        batch = sender.buffer();
                        filled = 0;
                    }
                    filled = h.held() ? ChunkFrames.write(batch, filled, c, h.data(), from, length)
                            : ChunkFrames.write(batch, filled, c, bytes.get(c), 0, length);
                    tally.bytesSent += length;
                }
            }
            if (filled > 0) {
                byte[] last = batch;
                batch = null;
                sender.send(last, filled);
            }
        } finally {
            if (batch != null) {
                sender.giveBack(batch); // nothing in it, or the upload failed: the run's next upload needs it
            }
        }
    }

    private java.util.concurrent.BlockingQueue<byte[]> frameBuffers;

    /** The run's frame buffers, made at its first upload (a commit's re-send of missing chunks shares them). */
    private synchronized java.util.concurrent.BlockingQueue<byte[]> frameBuffers(int size) {
        if (frameBuffers == null) {
            frameBuffers = BatchSender.buffers(UPLOADS_IN_FLIGHT, size);
        }
        return frameBuffers;
    }

    private void applyCommit(SyncState state, JsonNode result, Map<String, HashedFile> hashed, long scanStarted, Tally tally,
                             List<FileVersion> current) throws IOException {
        long seq = result.path("seq").asLong();
        if (chain >= 0 && seq == chain + 1 && result.path("conflicts").isEmpty()) {
            chain = seq;
        } else if (seq != 0) {
            chain = -1; // someone else committed in between (or a conflict): the pull reads from the state's seq
        }
        Map<String, String> copies = new HashMap<>();
        for (JsonNode c : result.path("conflicts")) {
            String path = c.path("path").asString();
            String kind = c.path("kind").asString();
            tally.conflicts.add(path + ": " + c.path("detail").asString());
            if (c.hasNonNull("current")) {
                current.add(FileVersion.fromJson(c.path("current")));
                // saved with the state below: if this run stops before the pull writes it, the next one reads it again
                state.seq = Math.min(state.seq, c.path("current").path("seq").asLong(state.seq + 1) - 1);
            }
            switch (kind) {
                case "edited_on_both" -> copies.put(c.path("copy").asString(), path);
                // the deletion was refused: forget the path, so the pull brings the other device's version back
                case "delete_refused" -> state.files.remove(path);
                default -> {
                    // a name collision: nothing was taken; the file stays here and is reported each run
                }
            }
        }
        for (JsonNode a : result.path("accepted")) {
            FileVersion v = FileVersion.fromJson(a);
            String original = copies.get(v.path().value());
            HashedFile h = hashed.get(original != null ? original : v.path().value());
            if (original != null) {
                // this device's edit now lives under the conflict name: move the file there, take the vault's version back
                state.files.remove(original);
                if (moveToConflictCopy(h, v.path())) {
                    long[] now = LocalFiles.stat(root.resolve(v.path().value())).orElseThrow();
                    state.files.put(v.path().value(), new SyncState.Entry(v.vector(), false, now[0], racy(now[1], scanStarted),
                            v.contentHash()));
                }
                // else: edited again meanwhile, so left where it is; the copy arrives with the pull, the edit goes next run
            } else if (v.deleted()) {
                state.files.put(v.path().value(), new SyncState.Entry(v.vector(), true, 0, 0, ""));
            } else if (h != null) {
                state.files.put(v.path().value(), entry(v.vector(), h, scanStarted));
            }
            tally.sent++;
        }
        state.save();
    }

    /** Moves this device's file to its conflict name; false if it changed since it was hashed (then it stays). */
    private boolean moveToConflictCopy(HashedFile h, VaultPath copy) throws IOException {
        Path target = LocalFiles.target(root, copy);
        long[] now = LocalFiles.stat(h.file()).orElse(null);
        if (now == null || now[0] != h.size() || now[1] != h.mtimeNanos() || Files.exists(target)) {
            return false;
        }
        Files.createDirectories(target.getParent());
        Files.move(h.file(), target, StandardCopyOption.ATOMIC_MOVE);
        LocalFiles.syncFolder(target.getParent());
        return true;
    }

    private static SyncState.Entry entry(VersionVector vector, HashedFile h, long scanStarted) {
        return new SyncState.Entry(vector, false, h.size(), racy(h.mtimeNanos(), scanStarted), h.contentHash());
    }

    /**
     * A file modified at the moment of the scan or after may change again within the same clock tick
     * without its time moving: such a time is not kept (-1), so the next run reads the file again.
     */
    static long racy(long mtimeNanos, long scanStartedNanos) {
        return mtimeNanos >= scanStartedNanos - 10_000_000L ? -1 : mtimeNanos;
    }

    static void vector(ObjectNode into, VersionVector v) {
        v.counters().forEach(into::put);
    }
}
