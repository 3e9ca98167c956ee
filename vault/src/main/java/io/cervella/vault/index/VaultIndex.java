package io.cervella.vault.index;

import io.cervella.core.http.Json;
import io.cervella.core.store.MetadataStore;
import io.cervella.vault.VaultRepository;
import io.cervella.vault.manifest.FileVersion;
import io.cervella.vault.tree.VaultPath;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The vault's index in the metadata database (docs/formats/vault.md, The database index; schema V4):
 * commits in one sequence, and every version of every path, keyed by the path's keyed hash and
 * stored encrypted. A commit takes the next number, has the caller make its manifest durable, and
 * writes its rows, all in one transaction that holds the vault's head: commits are serialized, and a
 * commit is visible exactly when that transaction commits.
 */
public final class VaultIndex {
    /** A version and the commit that made it. */
    public record Versioned(long seq, FileVersion version) {}

    /** Makes the commit's manifest durable before its rows are committed; gets the commit's number. */
    public interface BeforeCommit {
        void durable(long seq) throws IOException;
    }

    private final MetadataStore db;
    private final VaultRepository repo;

    public VaultIndex(MetadataStore db, VaultRepository repo) {
        this.db = db;
        this.repo = repo;
        db.jdbi().useTransaction(h -> {
            if (h.createQuery("SELECT COUNT(*) FROM vault_heads WHERE vault_id = :v").bind("v", repo.vaultId())
                    .mapTo(Integer.class).one() == 0) {
                h.createUpdate("INSERT INTO vault_heads (vault_id, seq) VALUES (:v, 0)").bind("v", repo.vaultId()).execute();
            }
        });
    }

    /** The path's id: a keyed hash of its collision key, so that colliding names share it. */
    public String pathId(VaultPath path) {
        return HexFormat.of().formatHex(repo.keys().keyedHash(("path " + path.collisionKey()).getBytes(StandardCharsets.UTF_8)));
    }

    public long head() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT seq FROM vault_heads WHERE vault_id = :v")
                .bind("v", repo.vaultId()).mapTo(Long.class).one());
    }

    /**
     * The current version of every path that shares a collision key with one of {@code paths} (the
     * paths themselves among them, when the vault has had them).
     */
    public Map<VaultPath, FileVersion> current(Collection<VaultPath> paths) {
        return db.jdbi().withHandle(h -> current(h, paths));
    }

    private Map<VaultPath, FileVersion> current(Handle h, Collection<VaultPath> paths) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(paths.stream().map(this::pathId).toList()));
        List<Versioned> found = new ArrayList<>();
        // a few hundred ids a query: one round trip per path made a 10,000-file commit slow
        for (int from = 0; from < ids.size(); from += LOOKUP_BATCH) {
            found.addAll(h.createQuery("SELECT path_id, seq, sealed FROM vault_versions WHERE vault_id = :v AND path_id IN (<ids>)")
                    .bind("v", repo.vaultId()).bindList("ids", ids.subList(from, Math.min(ids.size(), from + LOOKUP_BATCH)))
                    .map((rs, ctx) -> new Versioned(rs.getLong(2), open(rs.getString(1), rs.getLong(2), rs.getString(3)))).list());
        }
        found.sort(java.util.Comparator.comparingLong(Versioned::seq));
        Map<VaultPath, FileVersion> out = new LinkedHashMap<>();
        for (Versioned v : found) {
            out.put(v.version().path(), v.version()); // in seq order: the last one stays
        }
        return out;
    }

    private static final int LOOKUP_BATCH = 500;

    /** Every version of the path, oldest first. */
    public List<Versioned> history(VaultPath path) {
        return db.jdbi().withHandle(h -> versionsOf(h, pathId(path)).stream()
                .filter(v -> v.version().path().equals(path)).toList());
    }

    private List<Versioned> versionsOf(Handle h, String pathId) {
        return h.createQuery("SELECT seq, sealed FROM vault_versions WHERE vault_id = :v AND path_id = :p ORDER BY seq")
                .bind("v", repo.vaultId()).bind("p", pathId)
                .map((rs, ctx) -> new Versioned(rs.getLong(1), open(pathId, rs.getLong(1), rs.getString(2)))).list();
    }

    /**
     * Versions committed after {@code since}, in commit order: about {@code limit} (a page), never
     * ending inside a commit, so that the next page starts after the last seq of this one.
     */
    public List<Versioned> changesSince(long since, int limit) {
        return db.jdbi().withHandle(h -> {
            List<Versioned> page = new ArrayList<>(h.createQuery("SELECT path_id, seq, sealed FROM vault_versions"
                            + " WHERE vault_id = :v AND seq > :s ORDER BY seq, path_id LIMIT :n")
                    .bind("v", repo.vaultId()).bind("s", since).bind("n", limit)
                    .map((rs, ctx) -> new Versioned(rs.getLong(2), open(rs.getString(1), rs.getLong(2), rs.getString(3)))).list());
            if (page.size() == limit) {
                long last = page.getLast().seq();
                page.removeIf(v -> v.seq() == last);
                page.addAll(h.createQuery("SELECT path_id, seq, sealed FROM vault_versions WHERE vault_id = :v AND seq = :s ORDER BY path_id")
                        .bind("v", repo.vaultId()).bind("s", last)
                        .map((rs, ctx) -> new Versioned(rs.getLong(2), open(rs.getString(1), rs.getLong(2), rs.getString(3)))).list());
            }
            return page;
        });
    }

    /** Every version of every path, in commit order (for retention). */
    public List<Versioned> all() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT path_id, seq, sealed FROM vault_versions WHERE vault_id = :v ORDER BY seq")
                .bind("v", repo.vaultId())
                .map((rs, ctx) -> new Versioned(rs.getLong(2), open(rs.getString(1), rs.getLong(2), rs.getString(3)))).list());
    }

    /** When each commit was made (ms), by number. */
    public Map<Long, Long> commitTimes() {
        Map<Long, Long> out = new java.util.HashMap<>();
        db.jdbi().useHandle(h -> h.createQuery("SELECT seq, committed_at FROM vault_commits WHERE vault_id = :v")
                .bind("v", repo.vaultId()).map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getLong(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue())));
        return out;
    }

    /** Removes these versions (retention), in one transaction. */
    public void drop(Collection<Versioned> versions) {
        db.jdbi().useTransaction(h -> {
            var batch = h.prepareBatch("DELETE FROM vault_versions WHERE vault_id = :v AND path_id = :p AND seq = :s");
            for (Versioned v : versions) {
                batch.bind("v", repo.vaultId()).bind("p", pathId(v.version().path())).bind("s", v.seq()).add();
            }
            if (!versions.isEmpty()) {
                batch.execute();
            }
        });
    }

    /** The current version of every path (tombstones included), by path. */
    public Map<VaultPath, Versioned> tree() {
        Map<VaultPath, Versioned> out = new java.util.TreeMap<>();
        db.jdbi().useHandle(h -> h.createQuery("SELECT path_id, seq, sealed FROM vault_versions WHERE vault_id = :v ORDER BY seq")
                .bind("v", repo.vaultId())
                .map((rs, ctx) -> new Versioned(rs.getLong(2), open(rs.getString(1), rs.getLong(2), rs.getString(3))))
                .forEach(v -> out.put(v.version().path(), v)));
        return out;
    }

    /** Commits {@code versions} as the next commit; returns its number. */
    public long commit(String device, long committedAt, List<FileVersion> versions, BeforeCommit beforeCommit) {
        return commit(device, committedAt, List.of(), current -> versions, beforeCommit);
    }

    /** Decides a commit's versions from the current versions of some paths, read under the vault's lock. */
    public interface Decision {
        List<FileVersion> versions(Map<VaultPath, FileVersion> current);
    }

    /**
     * Commits what {@code decide} makes of the current versions of {@code paths}, read after the vault's
     * head is locked, so that no other commit (from any node) comes in between; returns the commit's
     * number, or 0 when there was nothing to commit (then nothing is written).
     */
    public long commit(String device, long committedAt, Collection<VaultPath> paths, Decision decide, BeforeCommit beforeCommit) {
        return db.jdbi().inTransaction(h -> {
            // raising the head first takes the vault's lock (a row lock in PostgreSQL, the write lock in SQLite)
            h.createUpdate("UPDATE vault_heads SET seq = seq + 1 WHERE vault_id = :v").bind("v", repo.vaultId()).execute();
            long seq = h.createQuery("SELECT seq FROM vault_heads WHERE vault_id = :v").bind("v", repo.vaultId())
                    .mapTo(Long.class).one();
            List<FileVersion> versions = decide.versions(current(h, paths));
            if (versions.isEmpty()) {
                h.rollback();
                return 0L;
            }
            try {
                beforeCommit.durable(seq);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // rolls the transaction back: the number is taken again next time
            }
            h.createUpdate("INSERT INTO vault_commits (vault_id, seq, device, committed_at) VALUES (:v, :s, :d, :t)")
                    .bind("v", repo.vaultId()).bind("s", seq).bind("d", device).bind("t", committedAt).execute();
            var insert = h.prepareBatch("INSERT INTO vault_versions (vault_id, path_id, seq, sealed) VALUES (:v, :p, :s, :x)");
            for (FileVersion f : versions) {
                String id = pathId(f.path());
                insert.bind("v", repo.vaultId()).bind("p", id).bind("s", seq).bind("x", seal(id, seq, f)).add();
            }
            insert.execute();
            return seq;
        });
    }

    private byte[] associatedData(String pathId, long seq) {
        return ("cervella-vault version " + repo.vaultId() + " " + pathId + " " + seq).getBytes(StandardCharsets.US_ASCII);
    }

    private String seal(String pathId, long seq, FileVersion f) {
        return Base64.getEncoder().encodeToString(repo.keys().streamingAead().seal(associatedData(pathId, seq), Json.bytes(f.toJson())));
    }

    private FileVersion open(String pathId, long seq, String sealed) {
        try (InputStream in = repo.keys().streamingAead().newDecryptingStream(
                new ByteArrayInputStream(Base64.getDecoder().decode(sealed)), associatedData(pathId, seq))) {
            return FileVersion.fromJson(Json.MAPPER.readTree(in.readAllBytes()));
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new IllegalStateException("the index's version " + seq + " of path " + pathId
                    + " does not authenticate (damaged, or another vault's); `cervella vault reindex` rebuilds it", e);
        }
    }

    /**
     * Replaces this vault's index with one made from its manifests, in order (cervella vault reindex):
     * the database lost or damaged, the blob store is the truth. Returns the head.
     */
    public long rebuild(java.util.Iterator<io.cervella.vault.manifest.Manifest> manifests) {
        return db.jdbi().inTransaction(h -> {
            h.createUpdate("DELETE FROM vault_versions WHERE vault_id = :v").bind("v", repo.vaultId()).execute();
            h.createUpdate("DELETE FROM vault_commits WHERE vault_id = :v").bind("v", repo.vaultId()).execute();
            long head = 0;
            while (manifests.hasNext()) {
                io.cervella.vault.manifest.Manifest m = manifests.next();
                if (m.seq() != head + 1) {
                    throw new IllegalStateException("manifest " + (head + 1) + " is missing (the next one is " + m.seq()
                            + "); the commits after a gap cannot be trusted to be complete");
                }
                head = m.seq();
                h.createUpdate("INSERT INTO vault_commits (vault_id, seq, device, committed_at) VALUES (:v, :s, :d, :t)")
                        .bind("v", repo.vaultId()).bind("s", m.seq()).bind("d", m.device()).bind("t", m.committedAt()).execute();
                for (FileVersion f : m.files()) {
                    String id = pathId(f.path());
                    h.createUpdate("INSERT INTO vault_versions (vault_id, path_id, seq, sealed) VALUES (:v, :p, :s, :x)")
                            .bind("v", repo.vaultId()).bind("p", id).bind("s", m.seq()).bind("x", seal(id, m.seq(), f)).execute();
                }
            }
            h.createUpdate("UPDATE vault_heads SET seq = :s WHERE vault_id = :v").bind("v", repo.vaultId()).bind("s", head).execute();
            return head;
        });
    }

    /** The numbers of the commits, for checks: 1..head without gaps. */
    public List<Long> commits() {
        return db.jdbi().withHandle(h -> new ArrayList<>(h.createQuery(
                "SELECT seq FROM vault_commits WHERE vault_id = :v ORDER BY seq").bind("v", repo.vaultId()).mapTo(Long.class).list()));
    }
}
