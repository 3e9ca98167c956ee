package io.cervella.backup.repo;

import io.cervella.core.blob.BlobStore;
import io.cervella.core.chunk.ChunkSizes;
import io.cervella.core.crypto.KeySlot;
import io.cervella.core.crypto.Unlock;
import io.cervella.core.http.Json;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A blob store opened as a backup repository (docs/formats/backup.md): its config and its keys,
 * unlocked through one of its key slots. Creating writes a slot, then the config (a crash in between
 * leaves a store with no config: still empty to a retry).
 */
public final class BackupRepository {
    static final int FORMAT = 1;
    static final String SLOT_PREFIX = "keys/";
    /** 512 KiB / 1 MiB / 8 MiB: a gigabyte is about a thousand blobs. */
    public static final ChunkSizes CHUNKING = new ChunkSizes(512 * 1024, 1024 * 1024, 8 * 1024 * 1024);

    private final BlobStore store;
    private final String id;
    private final RepositoryKeys keys;

    private BackupRepository(BlobStore store, String id, byte[] masterKey) {
        this.store = store;
        this.id = id;
        this.keys = new RepositoryKeys(id, masterKey);
    }

    /** Whether the store holds a repository (its config). */
    public static boolean exists(BlobStore store) throws IOException {
        return store.size("config") >= 0;
    }

    /** Makes a new repository in an empty store; refuses one that holds a repository already. */
    public static BackupRepository create(BlobStore store, Unlock unlock) throws IOException {
        if (exists(store)) {
            throw new IllegalStateException("this target holds a backup repository already");
        }
        SecureRandom random = new SecureRandom();
        byte[] idBytes = new byte[16];
        random.nextBytes(idBytes);
        String id = HexFormat.of().formatHex(idBytes);
        byte[] master = new byte[32];
        random.nextBytes(master);
        newSlot(store, master, unlock, id);
        ObjectNode config = Json.object();
        config.put("format", FORMAT);
        config.put("id", id);
        config.put("created_at", System.currentTimeMillis());
        ObjectNode chunking = config.putObject("chunking");
        chunking.put("min", CHUNKING.min());
        chunking.put("avg", CHUNKING.average());
        chunking.put("max", CHUNKING.max());
        store.put("config", Json.bytes(config));
        return new BackupRepository(store, id, master);
    }

    /** Opens a repository: the first slot {@code unlock} opens gives the master key. */
    public static BackupRepository open(BlobStore store, Unlock unlock) throws IOException, KeySlot.WrongKeyException {
        JsonNode config = Json.MAPPER.readTree(store.get("config").orElseThrow(() ->
                new IllegalStateException("this target holds no backup repository (no config); `cervella backup init` makes one")));
        if (config.path("format").asInt(0) != FORMAT) {
            throw new IllegalStateException("backup repository format " + config.path("format") + " is not one this version reads (" + FORMAT + ")");
        }
        JsonNode chunking = config.path("chunking");
        if (chunking.path("min").asInt() != CHUNKING.min() || chunking.path("avg").asInt() != CHUNKING.average()
                || chunking.path("max").asInt() != CHUNKING.max()) {
            throw new IllegalStateException("this repository's chunk sizes are not this version's");
        }
        String id = config.path("id").asString();
        KeySlot.WrongKeyException last = new KeySlot.WrongKeyException("the repository has no key slot");
        for (String slot : store.list(SLOT_PREFIX)) {
            try {
                return new BackupRepository(store, id, KeySlot.open(store.get(slot).orElseThrow(), unlock, owner(id)));
            } catch (KeySlot.WrongKeyException e) {
                last = e;
            }
        }
        throw last;
    }

    static KeySlot.Owner owner(String id) {
        // OWASP's minimum: every backup command opens the repository, the vault's cost would be paid each time
        return new KeySlot.Owner("backup repository", "cervella-backup master key " + id, KeySlot.Argon2Cost.OWASP);
    }

    private static String newSlot(BlobStore store, byte[] master, Unlock unlock, String id) throws IOException {
        byte[] slotId = new byte[8];
        new SecureRandom().nextBytes(slotId);
        String name = SLOT_PREFIX + HexFormat.of().formatHex(slotId);
        store.put(name, KeySlot.wrap(master, unlock, owner(id)));
        return name;
    }

    public BlobStore store() {
        return store;
    }

    public String id() {
        return id;
    }

    public RepositoryKeys keys() {
        return keys;
    }
}
