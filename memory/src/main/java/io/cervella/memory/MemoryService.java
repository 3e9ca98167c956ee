package io.cervella.memory;

import io.cervella.memory.chunk.Chunk;
import io.cervella.memory.chunk.MarkdownChunker;
import io.cervella.memory.embedding.EmbeddingModel;
import io.cervella.memory.embedding.EmbeddingUnavailableException;
import io.cervella.memory.index.ChunkIndex;
import io.cervella.memory.index.Filter;
import io.cervella.memory.index.Hit;
import io.cervella.memory.index.IndexedChunk;
import io.cervella.memory.index.SearchMode;
import io.cervella.memory.store.MemoryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The memory of one node: collections and documents in the {@link MemoryStore} (the truth), each
 * collection's chunks in a {@link ChunkIndex} under {@code DATA/memory/NAME} (derived: rebuilt from the
 * store when missing, and by {@link #reindex}). A document is stored, then chunked, embedded and
 * indexed before the call returns.
 */
public final class MemoryService implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MemoryService.class);
    private final MemoryStore store;
    private final Path indexRoot;
    private final Map<String, EmbeddingModel> models;
    private final MarkdownChunker chunker;
    private final Map<String, ChunkIndex> indexes = new HashMap<>();
    /** Per open index: the created_at of the collection it indexes (a collection deleted and made again
     * elsewhere has a new one) and the collection's revision it was last brought in line with. */
    private final Map<String, MemoryStore.Collection> indexedAs = new java.util.concurrent.ConcurrentHashMap<>();

    public MemoryService(MemoryStore store, Path indexRoot, List<EmbeddingModel> models, MarkdownChunker chunker) {
        this.store = store;
        this.indexRoot = indexRoot;
        this.models = new LinkedHashMap<>();
        models.forEach(m -> this.models.put(m.name(), m));
        this.chunker = chunker;
    }

    public String defaultModel() {
        return models.keySet().iterator().next();
    }

    /** Creates a collection embedded by {@code model}; empty if the name is taken. */
    public Optional<MemoryStore.Collection> createCollection(String name, String model) {
        MemoryStore.checkName(name);
        EmbeddingModel m = model(model);
        synchronized (writeLock(name)) {
            if (store.collection(name).isPresent()) {
                return Optional.empty();
            }
            dropIndex(name); // a folder left by an earlier collection of that name (another model, maybe)
            if (!store.createCollection(name, m.name(), m.dimension())) {
                return Optional.empty();
            }
            return store.collection(name);
        }
    }

    public List<MemoryStore.Collection> collections() {
        return store.collections();
    }

    public boolean deleteCollection(String name) {
        MemoryStore.checkName(name); // a bad name never reaches the file system
        synchronized (writeLock(name)) {
            boolean existed = store.deleteCollection(name);
            if (existed) {
                dropIndex(name);
            }
            return existed;
        }
    }

    /**
     * Closes and deletes the collection's index (after making sure no other process holds it). All under
     * the service's monitor, so that no {@link #index} call opens the folder again half-way.
     */
    private synchronized void dropIndex(String name) {
        ChunkIndex index = indexes.remove(name);
        indexedAs.remove(name);
        if (index != null) {
            index.close();
        }
        Path dir = indexRoot.resolve(name);
        if (Files.exists(dir)) {
            try {
                new ChunkIndex(dir, 1).close(); // throws IndexInUseException when another process has it open
            } catch (UncheckedIOException damaged) {
                // a damaged index: deleting it is what we want anyway
            }
            deleteTree(dir);
        }
    }

    /** What a document's write did: created or replaced (or unchanged), and into how many chunks. */
    public record Written(String id, boolean created, boolean changed, int chunks) {}

    public Written putDocument(String collection, String id, String content, Map<String, Object> metadata) {
        MemoryStore.Collection c = existing(collection);
        // Writes to one collection go one at a time: two writes of a document must reach the index in the
        // order they reached the database.
        synchronized (writeLock(collection)) {
            String hash = MemoryStore.hash(content, metadata);
            List<Chunk> chunks = chunker.chunk(content);
            ChunkIndex index = index(c);
            if (store.documentHash(collection, id).filter(hash::equals).isPresent()) {
                if (!chunks.isEmpty() && !hash.equals(index.version(id))) {
                    index.replaceDocument(id, indexed(c, id, chunks, metadata, hash)); // the index had fallen behind
                }
                return new Written(id, false, false, chunks.size());
            }
            // Embedded before anything is written: a failure here leaves database and index as they were.
            List<IndexedChunk> indexed = indexed(c, id, chunks, metadata, hash);
            MemoryStore.Put put = store.putDocument(collection, id, content, metadata);
            index.replaceDocument(id, indexed);
            followedOwnWrite(collection, put.revision());
            return new Written(id, put.created(), put.changed(), chunks.size());
        }
    }

    /**
     * This node's own write took the collection from the revision its index was in line with to the
     * next: the index is still in line, and {@link #catchUp} has nothing to look at. (Called under the
     * collection's write lock; a revision that moved by more means another node wrote too.)
     */
    private void followedOwnWrite(String collection, long revision) {
        MemoryStore.Collection seen = indexedAs.get(collection);
        if (revision > 0 && seen != null && seen.revision() == revision - 1) {
            indexedAs.put(collection, new MemoryStore.Collection(seen.name(), seen.model(), seen.dimension(),
                    seen.createdAt(), revision));
        }
    }

    private final Map<String, Object> writeLocks = new java.util.concurrent.ConcurrentHashMap<>();

    private Object writeLock(String collection) {
        return writeLocks.computeIfAbsent(collection, k -> new Object());
    }

    /** The ids of the collection's documents. */
    public java.util.Set<String> documentIds(String collection) {
        existing(collection);
        return store.documentHashes(collection).keySet();
    }

    /** A page of the collection's documents (id, content hash, last update), in id order. */
    public List<MemoryStore.DocumentSummary> listDocuments(String collection, String after, int limit) {
        existing(collection);
        return store.listDocuments(collection, after, limit);
    }

    public Optional<MemoryStore.StoredDocument> document(String collection, String id) {
        existing(collection);
        return store.document(collection, id);
    }

    public boolean deleteDocument(String collection, String id) {
        MemoryStore.Collection c = existing(collection);
        synchronized (writeLock(collection)) {
            long revision = store.deleteDocumentAt(collection, id);
            index(c).replaceDocument(id, List.of());
            followedOwnWrite(collection, revision);
            return revision >= 0;
        }
    }

    public List<Hit> search(String collection, SearchMode mode, String query, List<Filter> filters, int k) {
        MemoryStore.Collection c = existing(collection);
        if (query == null || query.isBlank()) {
            throw new IllegalArgumentException("the query is empty");
        }
        float[] vector = mode == SearchMode.KEYWORD ? null : modelOf(c).embedQuery(query);
        return index(c).search(mode, query, vector, filters, k);
    }

    /** Rebuilds the collection's index from the stored documents; returns the number of documents. */
    public int reindex(String collection) {
        return reindex(collection, done -> {});
    }

    /** {@link #reindex}, telling {@code progress} the number of documents done after each. */
    public int reindex(String collection, java.util.function.IntConsumer progress) {
        MemoryStore.Collection c = existing(collection);
        synchronized (writeLock(collection)) {
            dropIndex(collection);
            ChunkIndex fresh;
            synchronized (this) {
                fresh = openIndex(c);
            }
            Pass pass = rebuild(c, fresh, progress);
            indexedAs.put(c.name(), inLine(c, pass));
            return pass.documents();
        }
    }

    /** What a rebuild or a reconcile did: documents gone through, and those that could not be indexed. */
    private record Pass(int documents, int failures) {}

    /**
     * The revision an index is in line with after a pass: the collection's as read before it, or, when
     * some documents failed (a remote model down), none, so that {@link #catchUp} tries them again.
     */
    private static MemoryStore.Collection inLine(MemoryStore.Collection c, Pass pass) {
        return pass.failures() == 0 ? c : new MemoryStore.Collection(c.name(), c.model(), c.dimension(), c.createdAt(), -1);
    }

    private Pass rebuild(MemoryStore.Collection c, ChunkIndex index) {
        return rebuild(c, index, done -> {});
    }

    private Pass rebuild(MemoryStore.Collection c, ChunkIndex index, java.util.function.IntConsumer progress) {
        int[] count = {0, 0};
        store.forEachDocument(c.name(), d -> {
            try {
                index.replaceDocument(d.id(), indexed(c, d.id(), chunker.chunk(d.content()), d.metadata(), d.contentHash()));
            } catch (RuntimeException e) { // one bad document must not stop the others
                LOG.warn("memory: document '{}' of '{}' not indexed: {}", d.id(), c.name(), e.getMessage());
                count[1]++;
            }
            progress.accept(++count[0]);
        });
        return new Pass(count[0], count[1]);
    }

    private List<IndexedChunk> indexed(MemoryStore.Collection c, String id, List<Chunk> chunks, Map<String, Object> metadata,
                                       String version) {
        float[][] vectors = modelOf(c).embedDocuments(chunks.stream().map(Chunk::text).toList());
        List<IndexedChunk> out = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            out.add(new IndexedChunk(id, chunks.get(i), vectors[i], metadata, version));
        }
        return out;
    }

    private MemoryStore.Collection existing(String name) {
        return store.collection(name).orElseThrow(() -> new NoSuchCollectionException(name));
    }

    /** The collection does not exist. */
    public static final class NoSuchCollectionException extends IllegalArgumentException {
        NoSuchCollectionException(String name) {
            super("there is no collection '" + name + "'");
        }
    }

    /**
     * The model a collection's vectors come from, checked: a model missing from the config, or one that
     * now makes vectors of another length under the same name, cannot serve the collection.
     */
    private EmbeddingModel modelOf(MemoryStore.Collection c) {
        EmbeddingModel m = models.get(c.model());
        if (m == null) {
            throw new EmbeddingUnavailableException("the collection '" + c.name() + "' is embedded by '" + c.model()
                    + "', which this server does not have; add it under memory.embedding_models", null);
        }
        if (m.dimension() != c.dimension()) {
            throw new EmbeddingUnavailableException("the model '" + c.model() + "' makes vectors of " + m.dimension()
                    + " dimensions, but the collection '" + c.name() + "' holds vectors of " + c.dimension()
                    + ": the model changed under the same name; give the new one a new name and a new collection", null);
        }
        return m;
    }

    private EmbeddingModel model(String name) {
        EmbeddingModel m = name == null ? models.values().iterator().next() : models.get(name);
        if (m == null) {
            throw new IllegalArgumentException("there is no embedding model '" + name + "'; available: "
                    + String.join(", ", models.keySet()));
        }
        return m;
    }

    private synchronized ChunkIndex index(MemoryStore.Collection c) {
        ChunkIndex index = indexes.get(c.name());
        if (index == null) {
            boolean fresh = !Files.exists(indexRoot.resolve(c.name()));
            try {
                index = openIndex(c);
            } catch (ChunkIndex.IndexInUseException e) {
                throw e; // not damage: another process owns it, and nothing may be deleted
            } catch (RuntimeException e) {
                // A damaged index (a torn file, a disk error): it is only derived data, so derive it again.
                LOG.warn("memory: the index of '{}' does not open ({}); rebuilding it from the stored documents", c.name(),
                        e.getMessage());
                deleteTree(indexRoot.resolve(c.name()));
                index = openIndex(c);
                fresh = true;
            }
            // a new node, or an index that was deleted or damaged: derive it from the store
            Pass pass = fresh ? rebuild(c, index) : reconcile(c, index);
            indexedAs.put(c.name(), inLine(c, pass)); // c was read before: writes since then raised the revision past it
        }
        return index;
    }

    /**
     * Brings this node's open indexes in line with the database after other nodes (or processes) wrote
     * to it: a collection whose revision moved is reconciled (documents written elsewhere embedded and
     * indexed here, deleted ones removed); the index of a collection deleted elsewhere is dropped.
     * Called every few seconds by an {@link IndexFollower}; cheap when nothing changed (one query).
     *
     * @return how many collections were reconciled
     */
    public int catchUp() {
        Map<String, MemoryStore.Collection> current = new HashMap<>();
        store.collections().forEach(c -> current.put(c.name(), c));
        List<String> open;
        synchronized (this) {
            open = new ArrayList<>(indexes.keySet());
        }
        int reconciled = 0;
        for (String name : open) {
            MemoryStore.Collection listed = current.get(name);
            MemoryStore.Collection known = indexedAs.get(name);
            if (listed != null && known != null && listed.createdAt() == known.createdAt()
                    && listed.revision() == known.revision()) {
                continue; // the common case, without taking the lock
            }
            synchronized (writeLock(name)) {
                // read again under the lock: a write, a reindex or a drop may have come in between
                MemoryStore.Collection now = store.collection(name).orElse(null);
                MemoryStore.Collection seen;
                ChunkIndex index;
                synchronized (this) { // index() records both together
                    index = indexes.get(name);
                    seen = indexedAs.get(name);
                }
                if (index == null || seen == null) {
                    continue; // dropped meanwhile: opened again (and reconciled) at its next use
                }
                if (now == null || now.createdAt() != seen.createdAt()) {
                    // deleted elsewhere (or deleted and made again): a new collection gets a new index at first use
                    LOG.info("memory: collection '{}' was deleted or replaced on another node; dropping its index here", name);
                    dropIndex(name);
                } else if (now.revision() != seen.revision()) {
                    indexedAs.put(name, inLine(now, reconcile(now, index)));
                    reconciled++;
                }
            }
        }
        return reconciled;
    }

    /**
     * Brings an existing index in line with the database: a process killed after a document's database
     * commit and before its index commit left the index behind by that document.
     */
    private Pass reconcile(MemoryStore.Collection c, ChunkIndex index) {
        Map<String, String> indexed = index.versions();
        Map<String, String> stored = store.documentHashes(c.name());
        int done = 0;
        int failures = 0;
        for (Map.Entry<String, String> d : stored.entrySet()) {
            if (!d.getValue().equals(indexed.get(d.getKey()))) {
                done++;
                try {
                    store.document(c.name(), d.getKey()).ifPresent(doc -> index.replaceDocument(doc.id(),
                            indexed(c, doc.id(), chunker.chunk(doc.content()), doc.metadata(), doc.contentHash())));
                } catch (RuntimeException e) {
                    LOG.warn("memory: document '{}' of '{}' not indexed: {}", d.getKey(), c.name(), e.getMessage());
                    failures++;
                }
            }
        }
        for (String id : indexed.keySet()) {
            if (!stored.containsKey(id)) {
                index.replaceDocument(id, List.of());
                done++;
            }
        }
        return new Pass(done, failures);
    }

    private ChunkIndex openIndex(MemoryStore.Collection c) {
        ChunkIndex index = new ChunkIndex(indexRoot.resolve(c.name()), c.dimension());
        indexes.put(c.name(), index);
        return index;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    @Override
    public synchronized void close() {
        indexes.values().forEach(ChunkIndex::close);
        indexes.clear();
        indexedAs.clear();
    }
}
