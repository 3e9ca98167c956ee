package io.cervella.memory.store;

import io.cervella.core.store.MetadataStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * The memory's collections and documents in the metadata database (SQLite or PostgreSQL, schema V2):
 * the truth from which every node's index is derived. A document's write is committed before any
 * index sees it.
 */
public final class MemoryStore {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    /**
     * A collection: its name, the embedding model (and dimension) all its vectors come from, and its
     * revision, which every document write or delete raises by one (in the same transaction).
     */
    public record Collection(String name, String model, int dimension, long createdAt, long revision) {}

    /** A stored document: its text, metadata (texts and numbers) and the hash that tells a change. */
    public record StoredDocument(String collection, String id, String content, Map<String, Object> metadata,
                                 String contentHash, long updatedAt) {}

    private final MetadataStore store;

    public MemoryStore(MetadataStore store) {
        this.store = store;
    }

    public static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a collection name is 1 to 64 of a-z, 0-9, '_' and '-', starting with a letter"
                    + " or digit; was '" + name + "'");
        }
    }

    /** Creates the collection; false if one of that name exists already (nothing changes then). */
    public boolean createCollection(String name, String model, int dimension) {
        checkName(name);
        return store.jdbi().inTransaction(h -> {
            if (h.createQuery("SELECT COUNT(*) FROM memory_collections WHERE name = :n").bind("n", name)
                    .mapTo(Integer.class).one() > 0) {
                return false;
            }
            h.createUpdate("INSERT INTO memory_collections (name, model, dimension, created_at) VALUES (:n, :m, :d, :t)")
                    .bind("n", name).bind("m", model).bind("d", dimension).bind("t", System.currentTimeMillis()).execute();
            return true;
        });
    }

    public Optional<Collection> collection(String name) {
        return store.jdbi().withHandle(h -> h.createQuery(
                        "SELECT name, model, dimension, created_at, revision FROM memory_collections WHERE name = :n")
                .bind("n", name).map(MemoryStore::collection).findOne());
    }

    public List<Collection> collections() {
        return store.jdbi().withHandle(h -> h.createQuery(
                        "SELECT name, model, dimension, created_at, revision FROM memory_collections ORDER BY name")
                .map(MemoryStore::collection).list());
    }

    private static Collection collection(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new Collection(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getLong(4), rs.getLong(5));
    }

    /** Deletes the collection and its documents; false if there was none. */
    public boolean deleteCollection(String name) {
        return store.jdbi().inTransaction(h -> {
            h.createUpdate("DELETE FROM memory_documents WHERE collection = :n").bind("n", name).execute();
            return h.createUpdate("DELETE FROM memory_collections WHERE name = :n").bind("n", name).execute() > 0;
        });
    }

    /**
     * What {@link #putDocument} did: {@code changed} is false when the stored document had the same
     * content and metadata (then nothing was written), {@code created} when there was none before.
     */
    public record Put(StoredDocument document, boolean changed, boolean created, long revision) {}

    /** The content hash a document with this content and metadata has (key order does not matter). */
    public static String hash(String content, Map<String, Object> metadata) {
        return sha256(content + "\u0000" + metadataJson(metadata));
    }

    private static String metadataJson(Map<String, Object> metadata) {
        return JsonMapper.shared().writeValueAsString(new java.util.TreeMap<>(metadata));
    }

    /** The stored document's content hash, if there is one. */
    public Optional<String> documentHash(String collection, String id) {
        return store.jdbi().withHandle(h -> h.createQuery("SELECT content_hash FROM memory_documents WHERE collection = :c AND id = :i")
                .bind("c", collection).bind("i", id).mapTo(String.class).findOne());
    }

    public Put putDocument(String collection, String id, String content, Map<String, Object> metadata) {
        if (id == null || id.isEmpty() || id.length() > 512) {
            throw new IllegalArgumentException("a document id has 1 to 512 characters");
        }
        if (id.indexOf('\u0000') >= 0 || content.indexOf('\u0000') >= 0) {
            throw new IllegalArgumentException("a document's id and content may not contain NUL characters");
        }
        String metadataJson = metadataJson(metadata);
        String hash = hash(content, metadata);
        long now = System.currentTimeMillis();
        return store.jdbi().inTransaction(h -> {
            if (h.createQuery("SELECT COUNT(*) FROM memory_collections WHERE name = :c").bind("c", collection)
                    .mapTo(Integer.class).one() == 0) {
                throw new IllegalArgumentException("there is no collection '" + collection + "'");
            }
            Optional<String> old = h.createQuery("SELECT content_hash FROM memory_documents WHERE collection = :c AND id = :i")
                    .bind("c", collection).bind("i", id).mapTo(String.class).findOne();
            StoredDocument doc = new StoredDocument(collection, id, content, metadata, hash, now);
            if (old.isPresent() && old.get().equals(hash)) {
                return new Put(doc, false, false, -1);
            }
            if (old.isPresent()) {
                h.createUpdate("UPDATE memory_documents SET content = :t, metadata = :m, content_hash = :h, updated_at = :u"
                                + " WHERE collection = :c AND id = :i")
                        .bind("t", content).bind("m", metadataJson).bind("h", hash).bind("u", now)
                        .bind("c", collection).bind("i", id).execute();
            } else {
                h.createUpdate("INSERT INTO memory_documents (collection, id, content, metadata, content_hash, updated_at)"
                                + " VALUES (:c, :i, :t, :m, :h, :u)")
                        .bind("c", collection).bind("i", id).bind("t", content).bind("m", metadataJson).bind("h", hash)
                        .bind("u", now).execute();
            }
            return new Put(doc, true, old.isEmpty(), bumpRevision(h, collection));
        });
    }

    public Optional<StoredDocument> document(String collection, String id) {
        return store.jdbi().withHandle(h -> h.createQuery("SELECT content, metadata, content_hash, updated_at FROM memory_documents"
                        + " WHERE collection = :c AND id = :i").bind("c", collection).bind("i", id)
                .map((rs, ctx) -> new StoredDocument(collection, id, rs.getString(1), metadata(rs.getString(2)),
                        rs.getString(3), rs.getLong(4))).findOne());
    }

    public boolean deleteDocument(String collection, String id) {
        return deleteDocumentAt(collection, id) >= 0;
    }

    /** Deletes the document; returns the collection's revision after it, or -1 when there was none. */
    public long deleteDocumentAt(String collection, String id) {
        return store.jdbi().inTransaction(h -> {
            boolean deleted = h.createUpdate("DELETE FROM memory_documents WHERE collection = :c AND id = :i")
                    .bind("c", collection).bind("i", id).execute() > 0;
            return deleted ? bumpRevision(h, collection) : -1L;
        });
    }

    /** Raises the collection's revision within the write's transaction; returns the new one. */
    private static long bumpRevision(org.jdbi.v3.core.Handle h, String collection) {
        h.createUpdate("UPDATE memory_collections SET revision = revision + 1 WHERE name = :c").bind("c", collection).execute();
        return h.createQuery("SELECT revision FROM memory_collections WHERE name = :c").bind("c", collection)
                .mapTo(Long.class).one();
    }

    /** A document as a listing shows it. */
    public record DocumentSummary(String id, String contentHash, long updatedAt) {}

    /** Up to {@code limit} documents with ids after {@code after} (null: from the start), in id order. */
    public List<DocumentSummary> listDocuments(String collection, String after, int limit) {
        return store.jdbi().withHandle(h -> h.createQuery("SELECT id, content_hash, updated_at FROM memory_documents"
                        + " WHERE collection = :c AND id > :a ORDER BY id LIMIT :n")
                .bind("c", collection).bind("a", after == null ? "" : after).bind("n", limit)
                .map((rs, ctx) -> new DocumentSummary(rs.getString(1), rs.getString(2), rs.getLong(3))).list());
    }

    /** Each document's content hash, by id. */
    public Map<String, String> documentHashes(String collection) {
        return store.jdbi().withHandle(h -> {
            Map<String, String> out = new java.util.HashMap<>();
            h.createQuery("SELECT id, content_hash FROM memory_documents WHERE collection = :c").bind("c", collection)
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2))).forEach(e -> out.put(e.getKey(), e.getValue()));
            return out;
        });
    }

    /** Every document of the collection, one at a time (for a rebuild of the index). */
    public void forEachDocument(String collection, Consumer<StoredDocument> action) {
        store.jdbi().useHandle(h -> h.createQuery("SELECT id, content, metadata, content_hash, updated_at FROM memory_documents"
                        + " WHERE collection = :c ORDER BY id").bind("c", collection)
                .map((rs, ctx) -> new StoredDocument(collection, rs.getString(1), rs.getString(2), metadata(rs.getString(3)),
                        rs.getString(4), rs.getLong(5))).forEach(action));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(String json) {
        return JsonMapper.shared().readValue(json, Map.class);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
