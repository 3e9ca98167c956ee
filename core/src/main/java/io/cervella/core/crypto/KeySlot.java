package io.cervella.core.crypto;

import io.cervella.core.http.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A key slot (docs/formats/vault.md, Keys; the backup repository uses the same): a 32-byte master key
 * encrypted with AES-256-GCM under a key-encryption key made from a passphrase (Argon2id) or given raw,
 * bound by the associated data to what it opens (a vault, a backup repository). Several slots wrap the
 * same master key; changing the passphrase writes a new slot and removes the old, and touches nothing else.
 */
public final class KeySlot {
    /** Argon2id settings of a new slot (an opened slot uses the ones it records). */
    public record Argon2Cost(int memoryKib, int iterations, int parallelism) {
        /** The vault's: above OWASP's floor (about 0.4 s here, once per server start). */
        public static final Argon2Cost STRONG = new Argon2Cost(64 * 1024, 3, 1);
        /** OWASP's recommended minimum, 19 MiB and 2 passes: for what a command line opens at every run. */
        public static final Argon2Cost OWASP = new Argon2Cost(19 * 1024, 2, 1);
    }

    private KeySlot() {}

    /** Thrown when the passphrase or key does not open the slot (the GCM tag does not verify). */
    public static final class WrongKeyException extends Exception {
        public WrongKeyException(String message) {
            super(message);
        }
    }

    /**
     * What a slot opens: {@code what} for messages ("vault"), and the associated data that binds the slot
     * to it (its format's label and its id), so that a slot copied to another vault or repository fails.
     */
    public record Owner(String what, String associatedData, Argon2Cost cost) {}

    /** A new slot wrapping the 32-byte master key, as the JSON stored at keys/slot-ID. */
    public static byte[] wrap(byte[] masterKey, Unlock unlock, Owner owner) {
        SecureRandom random = new SecureRandom();
        ObjectNode slot = Json.object();
        byte[] kek;
        switch (unlock) {
            case Unlock.Passphrase p -> {
                byte[] salt = new byte[16];
                random.nextBytes(salt);
                slot.put("kdf", "argon2id");
                slot.put("salt", Base64.getEncoder().encodeToString(salt));
                ObjectNode params = slot.putObject("params");
                Argon2Cost cost = owner.cost();
                params.put("memory_kib", cost.memoryKib());
                params.put("iterations", cost.iterations());
                params.put("parallelism", cost.parallelism());
                kek = argon2id(p.value(), salt, cost.memoryKib(), cost.iterations(), cost.parallelism());
            }
            case Unlock.RawKey r -> {
                slot.put("kdf", "raw");
                kek = r.key();
            }
        }
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        try {
            Cipher c = gcm(Cipher.ENCRYPT_MODE, kek, nonce, associatedData(owner));
            byte[] sealed = c.doFinal(masterKey);
            slot.put("wrapped", Base64.getEncoder().encodeToString(ByteBuffer.allocate(12 + sealed.length).put(nonce)
                    .put(sealed).array()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        } finally {
            Arrays.fill(kek, (byte) 0);
        }
        return Json.bytes(slot);
    }

    /**
     * Opens a slot: the master key. A wrong passphrase or key is a {@link WrongKeyException}, a damaged
     * slot an IllegalArgumentException.
     */
    public static byte[] open(byte[] slotJson, Unlock unlock, Owner owner) throws WrongKeyException {
        JsonNode slot;
        byte[] wrapped;
        try {
            slot = Json.MAPPER.readTree(slotJson);
            wrapped = Base64.getDecoder().decode(slot.path("wrapped").asString(""));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the key slot is damaged: " + e.getMessage(), e);
        }
        String kdf = slot.path("kdf").asString("");
        byte[] kek = switch (unlock) {
            case Unlock.Passphrase p when kdf.equals("argon2id") -> {
                JsonNode params = slot.path("params");
                yield argon2id(p.value(), Base64.getDecoder().decode(slot.path("salt").asString("")),
                        params.path("memory_kib").asInt(Argon2Cost.STRONG.memoryKib()),
                        params.path("iterations").asInt(Argon2Cost.STRONG.iterations()),
                        params.path("parallelism").asInt(Argon2Cost.STRONG.parallelism()));
            }
            case Unlock.RawKey r when kdf.equals("raw") -> r.key();
            default -> throw new WrongKeyException("this key slot is opened by " + (kdf.equals("raw") ? "a key file" : "a passphrase"));
        };
        if (wrapped.length < 12 + 16) {
            throw new IllegalArgumentException("the key slot is damaged: its wrapped keys are too short");
        }
        try {
            byte[] master = gcm(Cipher.DECRYPT_MODE, kek, Arrays.copyOf(wrapped, 12), associatedData(owner))
                    .doFinal(wrapped, 12, wrapped.length - 12);
            if (master.length != 32) {
                throw new IllegalArgumentException("the key slot opened but holds no master key");
            }
            return master;
        } catch (javax.crypto.AEADBadTagException e) {
            throw new WrongKeyException("wrong passphrase or key for this " + owner.what());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        } finally {
            Arrays.fill(kek, (byte) 0);
        }
    }

    private static byte[] associatedData(Owner owner) {
        return owner.associatedData().getBytes(StandardCharsets.UTF_8);
    }

    public static Cipher gcm(int mode, byte[] key, byte[] nonce, byte[] associatedData) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        c.updateAAD(associatedData);
        return c;
    }

    static byte[] argon2id(String passphrase, byte[] salt, int memoryKib, int iterations, int parallelism) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt).withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(parallelism).build());
        byte[] out = new byte[32];
        generator.generateBytes(passphrase.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
