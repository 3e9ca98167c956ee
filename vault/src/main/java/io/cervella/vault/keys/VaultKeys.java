package io.cervella.vault.keys;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import io.cervella.core.chunk.GearTable;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The vault's keys, unlocked (docs/formats/vault.md, Keys): a Tink streaming AEAD keyset
 * (AES256_GCM_HKDF_1MB; the primary encrypts, every key decrypts) and the 32-byte id key that chunk ids
 * and the chunker's gear table come from. Held in memory only while the server runs.
 */
public final class VaultKeys {
    static {
        try {
            StreamingAeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int ID_KEY_BYTES = 32;
    private static final byte BUNDLE_VERSION = 1;

    private final KeysetHandle keyset;
    private final byte[] idKey;
    private final VaultAead streamingAead;

    private VaultKeys(KeysetHandle keyset, byte[] idKey) throws GeneralSecurityException {
        this.keyset = keyset;
        this.idKey = idKey;
        this.streamingAead = new VaultAead(keyset.getPrimitive(RegistryConfiguration.get(), StreamingAead.class),
                keyset.getPrimary().getKey());
    }

    /** New keys for a new vault. */
    public static VaultKeys generate() {
        try {
            byte[] id = new byte[ID_KEY_BYTES];
            new SecureRandom().nextBytes(id);
            return new VaultKeys(KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB), id);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make vault keys: " + e.getMessage(), e);
        }
    }

    /**
     * The same keys with a new primary encryption key: new blobs are encrypted with it, old ones stay
     * readable with theirs. The id key stays (ids must not change).
     */
    public VaultKeys rotate() {
        try {
            KeysetHandle rotated = KeysetHandle.newBuilder(keyset)
                    .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB)
                            .withRandomId().makePrimary())
                    .build();
            return new VaultKeys(rotated, idKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot rotate the vault keys: " + e.getMessage(), e);
        }
    }

    public VaultAead streamingAead() {
        return streamingAead;
    }

    /** How many encryption keys the keyset holds (one more after each rotation). */
    public int encryptionKeys() {
        return keyset.size();
    }

    /** A chunk's stored id: HMAC-SHA256(id key, its content hash). */
    public byte[] chunkId(byte[] contentHash) {
        return keyedHash(contentHash);
    }

    /** HMAC-SHA256 under the id key: names that reveal nothing without the key (chunk ids, path ids). */
    public byte[] keyedHash(byte[] data) {
        try {
            // a clone of a keyed prototype: a provider lookup and key setup per chunk cost more than the hash
            Mac mac = (Mac) idMac().clone();
            return mac.doFinal(data);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HMAC-SHA256 of this JDK cannot be cloned", e);
        }
    }

    private volatile Mac idMacPrototype;

    private Mac idMac() {
        Mac m = idMacPrototype;
        if (m == null) {
            try {
                m = Mac.getInstance("HmacSHA256");
                m.init(new SecretKeySpec(idKey, "HmacSHA256"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
            }
            idMacPrototype = m;
        }
        return m;
    }

    public GearTable gearTable() {
        return io.cervella.vault.chunk.VaultChunking.gearTable(idKey);
    }

    /** The keys as a key slot wraps them: version byte, keyset length, Tink's keyset, the id key. */
    byte[] serialize() {
        byte[] set;
        try {
            set = TinkProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot serialize the vault keys: " + e.getMessage(), e);
        }
        return ByteBuffer.allocate(1 + 4 + set.length + ID_KEY_BYTES).put(BUNDLE_VERSION).putInt(set.length).put(set)
                .put(idKey).array();
    }

    static VaultKeys parse(byte[] bundle) throws GeneralSecurityException {
        ByteBuffer b = ByteBuffer.wrap(bundle);
        if (b.remaining() < 5 || b.get() != BUNDLE_VERSION) {
            throw new GeneralSecurityException("unknown key bundle version");
        }
        int length = b.getInt();
        if (length < 0 || length != b.remaining() - ID_KEY_BYTES) {
            throw new GeneralSecurityException("key bundle of the wrong length");
        }
        byte[] set = new byte[length];
        b.get(set);
        byte[] id = Arrays.copyOfRange(bundle, bundle.length - ID_KEY_BYTES, bundle.length);
        return new VaultKeys(TinkProtoKeysetFormat.parseKeyset(set, InsecureSecretKeyAccess.get()), id);
    }
}
