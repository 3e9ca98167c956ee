package io.cervella.vault.keys;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import io.cervella.core.crypto.KeySlot;
import javax.crypto.Cipher;

/**
 * The vault's keys at rest (docs/formats/vault.md, Keys): {@code keys/bundle-N}, the key bundle
 * encrypted with AES-256-GCM under the master key, bound to the vault and to N. A rotation writes
 * bundle N+1; no key slot changes.
 */
public final class KeyBundle {
    private KeyBundle() {}

    public static String blobName(long number) {
        return String.format("keys/bundle-%016x", number);
    }

    public static byte[] seal(VaultKeys keys, byte[] masterKey, String vaultId, long number) {
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        byte[] plain = keys.serialize();
        try {
            byte[] sealed = KeySlot.gcm(Cipher.ENCRYPT_MODE, masterKey, nonce, associatedData(vaultId, number)).doFinal(plain);
            return ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** Opens bundle {@code number}; one that does not authenticate (damaged, renamed, another vault's) is refused. */
    public static VaultKeys open(byte[] blob, byte[] masterKey, String vaultId, long number) {
        if (blob.length < 12 + 16) {
            throw new IllegalArgumentException(blobName(number) + " is too short to hold keys");
        }
        byte[] plain = null;
        try {
            plain = KeySlot.gcm(Cipher.DECRYPT_MODE, masterKey, Arrays.copyOf(blob, 12), associatedData(vaultId, number))
                    .doFinal(blob, 12, blob.length - 12);
            return VaultKeys.parse(plain);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException(blobName(number) + " does not authenticate (damaged, renamed, or not this"
                    + " vault's)", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(blobName(number) + " holds no valid keys: " + e.getMessage(), e);
        } finally {
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
        }
    }

    private static byte[] associatedData(String vaultId, long number) {
        return ("cervella-vault keys " + vaultId + " " + number).getBytes(StandardCharsets.UTF_8);
    }
}
