package io.cervella.vault.keys;

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
 * A key slot (docs/formats/vault.md, Keys): the vault's keys encrypted with AES-256-GCM under a
 * key-encryption key made from a passphrase (Argon2id) or given raw. Several slots may wrap the same
 * keys; changing the passphrase writes a new slot and removes the old, and touches no data.
 */
public final class KeySlot {
    /** Argon2id settings of new slots: above OWASP's floor of 19 MiB and 2 iterations. */
    static final int MEMORY_KIB = 64 * 1024;
    static final int ITERATIONS = 3;
    static final int PARALLELISM = 1;

    private KeySlot() {}

    /** Thrown when the passphrase or key does not open the slot (the GCM tag does not verify). */
    public static final class WrongKeyException extends Exception {
        WrongKeyException(String message) {
            super(message);
        }
    }

    /** A new slot wrapping {@code keys}, as the JSON stored at keys/SLOT. */
    public static byte[] wrap(VaultKeys keys, Unlock unlock, String vaultId) {
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
                params.put("memory_kib", MEMORY_KIB);
                params.put("iterations", ITERATIONS);
                params.put("parallelism", PARALLELISM);
                kek = argon2id(p.value(), salt, MEMORY_KIB, ITERATIONS, PARALLELISM);
            }
            case Unlock.RawKey r -> {
                slot.put("kdf", "raw");
                kek = r.key();
            }
        }
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        try {
            Cipher c = gcm(Cipher.ENCRYPT_MODE, kek, nonce, vaultId);
            byte[] sealed = c.doFinal(keys.serialize());
            slot.put("wrapped", Base64.getEncoder().encodeToString(ByteBuffer.allocate(12 + sealed.length).put(nonce)
                    .put(sealed).array()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        } finally {
            Arrays.fill(kek, (byte) 0);
        }
        return Json.bytes(slot);
    }

    /** Opens a slot; a wrong passphrase or key is a {@link WrongKeyException}, a damaged slot an IllegalArgumentException. */
    public static VaultKeys open(byte[] slotJson, Unlock unlock, String vaultId) throws WrongKeyException {
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
                        params.path("memory_kib").asInt(MEMORY_KIB), params.path("iterations").asInt(ITERATIONS),
                        params.path("parallelism").asInt(PARALLELISM));
            }
            case Unlock.RawKey r when kdf.equals("raw") -> r.key();
            default -> throw new WrongKeyException("this key slot is opened by " + (kdf.equals("raw") ? "a key file" : "a passphrase"));
        };
        if (wrapped.length < 12 + 16) {
            throw new IllegalArgumentException("the key slot is damaged: its wrapped keys are too short");
        }
        byte[] bundle;
        try {
            bundle = gcm(Cipher.DECRYPT_MODE, kek, Arrays.copyOf(wrapped, 12), vaultId).doFinal(wrapped, 12, wrapped.length - 12);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new WrongKeyException("wrong passphrase or key for this vault");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        } finally {
            Arrays.fill(kek, (byte) 0);
        }
        try {
            return VaultKeys.parse(bundle);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the key slot opened but holds no valid keys: " + e.getMessage(), e);
        } finally {
            Arrays.fill(bundle, (byte) 0);
        }
    }

    private static Cipher gcm(int mode, byte[] kek, byte[] nonce, String vaultId) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(128, nonce));
        c.updateAAD(("cervella-vault keyset " + vaultId).getBytes(StandardCharsets.UTF_8));
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
