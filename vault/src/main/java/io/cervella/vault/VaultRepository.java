package io.cervella.vault;

import io.cervella.core.http.Json;
import io.cervella.core.blob.BlobStore;
import io.cervella.vault.keys.KeyBundle;
import io.cervella.core.crypto.KeySlot;
import io.cervella.core.crypto.Unlock;
import io.cervella.vault.keys.VaultKeys;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A vault's blob store, opened (docs/formats/vault.md): its config, and its keys unlocked through one
 * of its key slots. Creating writes the config, the first key bundle and a slot; rotating writes a new
 * bundle; a passphrase change adds a slot and drops the one that opened the vault.
 */
public final class VaultRepository {
    static final int FORMAT = 1;
    private static final String SLOT_PREFIX = "keys/slot-";
    private static final String BUNDLE_PREFIX = "keys/bundle-";

    private final BlobStore store;
    private final String vaultId;
    private final byte[] masterKey;
    private final String openedBy;
    private volatile VaultKeys keys;
    private volatile long bundle;

    private VaultRepository(BlobStore store, String vaultId, byte[] masterKey, String openedBy, VaultKeys keys, long bundle) {
        this.store = store;
        this.vaultId = vaultId;
        this.masterKey = masterKey;
        this.openedBy = openedBy;
        this.keys = keys;
        this.bundle = bundle;
    }

    /** Makes a new vault in an empty blob store; refuses a store that holds one already. */
    public static VaultRepository create(BlobStore store, Unlock unlock) throws IOException {
        if (store.get("config").isPresent()) {
            throw new IllegalStateException("this blob store holds a vault already; open it instead");
        }
        SecureRandom random = new SecureRandom();
        byte[] id = new byte[16];
        random.nextBytes(id);
        String vaultId = HexFormat.of().formatHex(id);
        byte[] master = new byte[32];
        random.nextBytes(master);
        VaultKeys keys = VaultKeys.generate();
        // keys before config: a crash in between leaves no config, so the store is still "empty" to a retry
        store.put(KeyBundle.blobName(1), KeyBundle.seal(keys, master, vaultId, 1));
        String slot = newSlot(store, master, unlock, vaultId);
        ObjectNode config = Json.object();
        config.put("format", FORMAT);
        config.put("vault_id", vaultId);
        config.put("created_at", System.currentTimeMillis());
        store.put("config", Json.bytes(config));
        return new VaultRepository(store, vaultId, master, slot, keys, 1);
    }

    /** Opens a vault: the first slot that {@code unlock} opens gives the master key, the newest bundle the keys. */
    public static VaultRepository open(BlobStore store, Unlock unlock) throws IOException, KeySlot.WrongKeyException {
        JsonNode config = Json.MAPPER.readTree(store.get("config").orElseThrow(() ->
                new IllegalStateException("this blob store holds no vault (no config); create one first")));
        if (config.path("format").asInt(0) != FORMAT) {
            throw new IllegalStateException("vault format " + config.path("format") + " is not one this version reads (" + FORMAT + ")");
        }
        String vaultId = config.path("vault_id").asString();
        KeySlot.WrongKeyException last = new KeySlot.WrongKeyException("the vault has no key slot");
        for (String slot : store.list(SLOT_PREFIX)) {
            byte[] master;
            try {
                master = KeySlot.open(store.get(slot).orElseThrow(), unlock, slotOwner(vaultId));
            } catch (KeySlot.WrongKeyException e) {
                last = e;
                continue;
            }
            long newest = newestBundle(store);
            VaultKeys keys = KeyBundle.open(store.get(KeyBundle.blobName(newest)).orElseThrow(), master, vaultId, newest);
            return new VaultRepository(store, vaultId, master, slot, keys, newest);
        }
        throw last;
    }

    private static long newestBundle(BlobStore store) throws IOException {
        List<String> bundles = store.list(BUNDLE_PREFIX);
        if (bundles.isEmpty()) {
            throw new IllegalStateException("the vault has no key bundle");
        }
        return Long.parseLong(bundles.getLast().substring(BUNDLE_PREFIX.length()), 16);
    }

    private static String newSlot(BlobStore store, byte[] master, Unlock unlock, String vaultId) throws IOException {
        byte[] id = new byte[8];
        new SecureRandom().nextBytes(id);
        String name = SLOT_PREFIX + HexFormat.of().formatHex(id);
        store.put(name, KeySlot.wrap(master, unlock, slotOwner(vaultId)));
        return name;
    }

    /** What the vault's key slots are bound to (docs/formats/vault.md, Keys). */
    static KeySlot.Owner slotOwner(String vaultId) {
        return new KeySlot.Owner("vault", "cervella-vault master key " + vaultId, KeySlot.Argon2Cost.STRONG);
    }

    public String vaultId() {
        return vaultId;
    }

    public VaultKeys keys() {
        return keys;
    }

    public BlobStore store() {
        return store;
    }

    /** A new primary encryption key, in a new bundle; blobs written before stay readable. */
    public synchronized void rotateKeys() throws IOException {
        VaultKeys rotated = keys.rotate();
        store.put(KeyBundle.blobName(bundle + 1), KeyBundle.seal(rotated, masterKey, vaultId, bundle + 1));
        keys = rotated;
        bundle++;
    }

    /** Another way to open the vault (a key file for a server, a passphrase for a person). */
    public String addSlot(Unlock unlock) throws IOException {
        return newSlot(store, masterKey, unlock, vaultId);
    }

    /** The slot that opened this vault is replaced by one for {@code replacement} (a passphrase change). */
    public synchronized String changeUnlock(Unlock replacement) throws IOException {
        String added = addSlot(replacement);
        store.delete(openedBy);
        return added;
    }

    public List<String> slots() throws IOException {
        return new ArrayList<>(store.list(SLOT_PREFIX));
    }
}
