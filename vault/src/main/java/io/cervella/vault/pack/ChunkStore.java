package io.cervella.vault.pack;

import io.cervella.vault.VaultRepository;
import io.cervella.core.blob.BlobStore;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The vault's chunks, by content hash: new ones are gathered into a pack that is written when it is
 * full or {@link #flush flushed} (before a commit), reads decrypt one chunk from its pack, and
 * {@link #check} reads everything back. The index (chunk id to pack and offset) is read from the packs'
 * headers when the store opens.
 */
public final class ChunkStore {
    /** Where a chunk is: its pack's blob name and its entry there. */
    public record Location(String pack, PackEntry entry) {}

    private final VaultRepository repo;
    private final BlobStore blobs;
    private final PackReader reader;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ChunkStore.class);
    private final Map<String, Location> index = new ConcurrentHashMap<>();
    /** Packs whose headers were read (or found damaged). */
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    /** Chunk ids in the pack being filled or being written: received, not yet durable. */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private PackWriter open;
    /** Full packs being written in the background (at most two: then adds wait), until durable. */
    private final java.util.Queue<PackWrite> writes = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.Semaphore writeSlots = new java.util.concurrent.Semaphore(2);

    /** A finished pack on its way to the blob store; {@code done} fails if the write did. */
    private record PackWrite(PackWriter.Pack pack, java.util.concurrent.CompletableFuture<Void> done) {}

    private ChunkStore(VaultRepository repo) {
        this.repo = repo;
        this.blobs = repo.store();
        this.reader = new PackReader(repo.keys().streamingAead());
        this.open = new PackWriter(repo.keys().streamingAead());
    }

    public static ChunkStore open(VaultRepository repo) throws IOException {
        ChunkStore store = new ChunkStore(repo);
        store.refresh();
        return store;
    }

    /**
     * Reads the headers of packs this store has not seen: at open, and when a chunk is not found (another
     * node sharing the blob store may have written it). A damaged pack is set aside and reported by
     * {@link #check}, never a reason for the vault not to open.
     */
    public synchronized void refresh() throws IOException {
        Set<String> writing = new java.util.HashSet<>();
        writes.forEach(w -> writing.add(w.pack().blobName()));
        for (String pack : blobs.list("packs/")) {
            if (known.contains(pack) || writing.contains(pack)) {
                continue;
            }
            try {
                long size = blobs.size(pack);
                int headerLength = PackReader.headerLength(size, blobs.get(pack, size - 4, 4), pack);
                long headerStart = size - 4 - headerLength;
                for (PackEntry e : reader.header(pack, blobs.get(pack, headerStart, headerLength), headerStart)) {
                    index.putIfAbsent(HexFormat.of().formatHex(e.chunkId()), new Location(pack, e));
                }
            } catch (IOException e) {
                LOG.warn("pack {} cannot be read ({}); `cervella vault check` reports it", pack, e.getMessage());
            }
            known.add(pack);
        }
    }

    private String id(byte[] contentHash) {
        return HexFormat.of().formatHex(repo.keys().chunkId(contentHash));
    }

    /** Whether the chunk with this content hash is stored (or received and waiting for its pack). */
    public boolean has(byte[] contentHash) {
        String id = id(contentHash);
        return index.containsKey(id) || pending.contains(id);
    }

    /**
     * Takes a chunk; its bytes must hash to {@code contentHash}. A chunk the vault has is not stored
     * again. The hash check and the encryption run outside the store's lock, so that uploads arriving
     * together use every core; only the append (and a full pack's write) is serialized.
     */
    public void add(byte[] contentHash, byte[] plaintext) throws IOException {
        if (!MessageDigest.isEqual(sha256(plaintext), contentHash)) {
            throw new IllegalArgumentException("the chunk's bytes do not hash to " + HexFormat.of().formatHex(contentHash));
        }
        byte[] chunkId = repo.keys().chunkId(contentHash);
        String id = HexFormat.of().formatHex(chunkId);
        if (index.containsKey(id) || pending.contains(id)) {
            return;
        }
        PackWriter.SealedChunk sealed = PackWriter.seal(repo.keys().streamingAead(), chunkId, plaintext);
        synchronized (this) {
            // counted as here only once it is in the pack being filled: a commit's flush then writes it
            if (index.containsKey(id) || !pending.add(id)) {
                return;
            }
            open.add(sealed);
            if (open.size() >= PackWriter.TARGET_BYTES) {
                startWrite(); // written while more chunks come in; a commit's flush waits for it
            }
        }
    }

    /** Hands the full pack to a background write (waits while two are being written). Holds the lock. */
    private void startWrite() {
        PackWriter.Pack pack = open.finish();
        open = new PackWriter(repo.keys().streamingAead());
        writeSlots.acquireUninterruptibly();
        PackWrite w = new PackWrite(pack, new java.util.concurrent.CompletableFuture<>());
        writes.add(w);
        Thread.ofVirtual().name("vault-pack-write").start(() -> {
            try {
                blobs.put(pack.blobName(), pack.bytes());
                durable(pack);
                writes.remove(w);
                w.done().complete(null);
            } catch (Throwable t) {
                w.done().completeExceptionally(t); // stays in writes: the next flush tries it again
            } finally {
                writeSlots.release();
            }
        });
    }

    private void durable(PackWriter.Pack pack) {
        known.add(pack.blobName());
        for (PackEntry e : pack.entries()) {
            String id = HexFormat.of().formatHex(e.chunkId());
            index.putIfAbsent(id, new Location(pack.blobName(), e));
            pending.remove(id);
        }
    }

    /**
     * Makes every chunk received so far durable (before a commit points at them): the pack being
     * filled is written, and this waits for the packs being written; one whose write failed (a full
     * disk) is tried again, and if it fails again the error is thrown and its chunks stay pending.
     */
    public void flush() throws IOException {
        synchronized (this) {
            if (!open.isEmpty()) {
                startWrite();
            }
        }
        for (PackWrite w : List.copyOf(writes)) {
            try {
                w.done().join();
            } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                synchronized (this) {
                    if (!writes.contains(w)) {
                        continue; // another flush wrote it meanwhile
                    }
                    blobs.put(w.pack().blobName(), w.pack().bytes());
                    durable(w.pack());
                    writes.remove(w);
                }
            }
        }
    }

    /** The chunk's bytes, checked against its content hash; empty if the vault does not have it. */
    public java.util.Optional<byte[]> read(byte[] contentHash) throws IOException {
        Location at = index.get(id(contentHash));
        if (at == null) {
            refresh(); // written by another node since this one looked?
            at = index.get(id(contentHash));
        }
        if (at == null) {
            return java.util.Optional.empty();
        }
        byte[] plain = reader.chunk(at.pack(), at.entry(), blobs.get(at.pack(), at.entry().offset(), at.entry().ciphertextLength()));
        if (!MessageDigest.isEqual(sha256(plain), contentHash)) {
            throw new PackReader.DamagedException("a chunk in pack " + at.pack() + " decrypts to other content than its hash", null);
        }
        return java.util.Optional.of(plain);
    }

    public int size() {
        return index.size();
    }

    /**
     * What a repack did: the packs to delete once nothing points at them any more (no live chunk, or
     * their live chunks copied into new packs), how many were rewritten, and their bytes.
     */
    public record Repack(List<String> obsolete, int rewritten, long obsoleteBytes) {}

    /**
     * Step 2 of prune (docs/formats/vault.md, Retention and prune): packs without a live chunk become
     * obsolete; a pack whose live share is under {@code minLiveShare} has its live chunks copied into
     * new packs (durable before this returns) and becomes obsolete. Call with no commit running.
     *
     * @param live chunk ids (hex) that kept versions name
     */
    public synchronized Repack repack(Set<String> live, double minLiveShare) throws IOException {
        flush();
        refresh(); // a pack this node has not read yet must not look unreferenced
        Map<String, List<Map.Entry<String, Location>>> byPack = new java.util.TreeMap<>();
        for (Map.Entry<String, Location> e : index.entrySet()) {
            byPack.computeIfAbsent(e.getValue().pack(), p -> new ArrayList<>()).add(e);
        }
        List<String> obsolete = new ArrayList<>();
        long obsoleteBytes = 0;
        int rewritten = 0;
        for (String pack : blobs.list("packs/")) {
            if (!byPack.containsKey(pack)) {
                obsolete.add(pack); // every chunk in it is indexed in another pack
                obsoleteBytes += blobs.size(pack);
            }
        }
        PackWriter copy = new PackWriter(repo.keys().streamingAead());
        List<String> copied = new ArrayList<>();
        for (Map.Entry<String, List<Map.Entry<String, Location>>> p : byPack.entrySet()) {
            long total = 0;
            long kept = 0;
            for (Map.Entry<String, Location> e : p.getValue()) {
                total += e.getValue().entry().ciphertextLength();
                if (live.contains(e.getKey())) {
                    kept += e.getValue().entry().ciphertextLength();
                }
            }
            if (kept == total || kept > 0 && (double) kept / total >= minLiveShare) {
                continue;
            }
            for (Map.Entry<String, Location> e : p.getValue()) {
                if (!live.contains(e.getKey())) {
                    continue;
                }
                Location at = e.getValue();
                byte[] plain = reader.chunk(at.pack(), at.entry(), blobs.get(at.pack(), at.entry().offset(), at.entry().ciphertextLength()));
                copy.add(at.entry().chunkId(), plain);
                copied.add(e.getKey());
                if (copy.size() >= PackWriter.TARGET_BYTES) {
                    writeCopy(copy);
                    copy = new PackWriter(repo.keys().streamingAead());
                }
            }
            obsolete.add(p.getKey());
            obsoleteBytes += blobs.size(p.getKey());
            rewritten += kept > 0 ? 1 : 0;
        }
        if (!copy.isEmpty()) {
            writeCopy(copy);
        }
        return new Repack(List.copyOf(obsolete), rewritten, obsoleteBytes);
    }

    private void writeCopy(PackWriter copy) throws IOException {
        PackWriter.Pack pack = copy.finish();
        blobs.put(pack.blobName(), pack.bytes());
        known.add(pack.blobName());
        for (PackEntry e : pack.entries()) {
            index.put(HexFormat.of().formatHex(e.chunkId()), new Location(pack.blobName(), e)); // the copy is where it is now
        }
    }

    /** Step 5 of prune: deletes packs nothing points at any more; their dead chunks leave the index. */
    public synchronized void deletePacks(List<String> packs) throws IOException {
        Set<String> gone = Set.copyOf(packs);
        index.values().removeIf(l -> gone.contains(l.pack()));
        known.removeAll(gone);
        for (String pack : packs) {
            blobs.delete(pack);
        }
    }

    /** What {@link #check} found: packs and chunks read, and every problem, each naming its pack. */
    public record CheckReport(int packs, int chunks, List<String> problems) {
        public boolean clean() {
            return problems.isEmpty();
        }
    }

    /** Reads every pack back: its name against its SHA-256, its header, and every chunk's tag. */
    public CheckReport check() throws IOException {
        List<String> problems = new ArrayList<>();
        int packs = 0;
        int chunks = 0;
        for (String pack : blobs.list("packs/")) {
            packs++;
            byte[] bytes = blobs.get(pack).orElse(null);
            if (bytes == null) {
                problems.add(pack + ": listed but gone");
                continue;
            }
            if (!pack.endsWith("/" + PackWriter.sha256(bytes))) {
                problems.add(pack + ": its bytes do not hash to its name (damaged)");
            }
            List<PackEntry> entries;
            try {
                entries = reader.header(pack, bytes);
            } catch (PackReader.DamagedException e) {
                problems.add(pack + ": " + e.getMessage());
                continue;
            }
            for (PackEntry e : entries) {
                chunks++;
                try {
                    reader.chunk(pack, e, java.util.Arrays.copyOfRange(bytes, e.offset(), e.offset() + e.ciphertextLength()));
                } catch (PackReader.DamagedException d) {
                    problems.add(pack + ": " + d.getMessage());
                }
            }
        }
        return new CheckReport(packs, chunks, List.copyOf(problems));
    }

    public static byte[] sha256Of(byte[] bytes) {
        return sha256(bytes);
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
