package io.cervella.backup.repo;

import io.cervella.core.chunk.GearTable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A backup repository's keys, unlocked (docs/formats/backup.md, Keys): the data key that seals every
 * object (AES-256-GCM, random nonce, the associated data naming its kind and the repository) and the
 * id key that names blobs (HMAC-SHA256 of their SHA-256) and derives the chunker's gear table.
 */
public final class RepositoryKeys {
    static final int NONCE = 12;
    static final int TAG = 16;
    /** Bytes an encrypted object adds to its plaintext. */
    public static final int OVERHEAD = NONCE + TAG;

    private final String repositoryId;
    private final SecretKeySpec dataKey;
    private final byte[] idKey;
    private final Mac idMac; // never used itself: cloned
    private final SecureRandom random = new SecureRandom();

    /** Thrown when an object does not open: damaged, or not this repository's. */
    public static final class DamagedException extends Exception {
        public DamagedException(String message) {
            super(message);
        }
    }

    RepositoryKeys(String repositoryId, byte[] masterKey) {
        this.repositoryId = repositoryId;
        byte[] salt = ("cervella-backup " + repositoryId).getBytes(StandardCharsets.US_ASCII);
        this.dataKey = new SecretKeySpec(hkdf(masterKey, salt, "cervella-backup data key"), "AES");
        this.idKey = hkdf(masterKey, salt, "cervella-backup id key");
        try {
            this.idMac = Mac.getInstance("HmacSHA256");
            this.idMac.init(new SecretKeySpec(idKey, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }

    /** HKDF-SHA256 (RFC 5869) with 32 bytes of output. */
    static byte[] hkdf(byte[] ikm, byte[] salt, String info) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            mac.update(info.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) 1);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }

    private byte[] associatedData(String kind) {
        return ("cervella-backup " + kind + " " + repositoryId).getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code plaintext} sealed as an object of {@code kind} ("index", "snapshot", "blob <id>"...). */
    public byte[] seal(String kind, byte[] plaintext) {
        return seal(kind, plaintext, 0, plaintext.length);
    }

    public byte[] seal(String kind, byte[] plaintext, int offset, int length) {
        byte[] out = new byte[NONCE + length + TAG];
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, 0, NONCE);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, dataKey, new GCMParameterSpec(TAG * 8, nonce));
            c.updateAAD(associatedData(kind));
            c.doFinal(plaintext, offset, length, out, NONCE);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt: " + e.getMessage(), e);
        }
    }

    /** Opens an object sealed as {@code kind}; one that does not authenticate is damaged (or another repository's). */
    public byte[] open(String kind, byte[] sealed) throws DamagedException {
        return open(kind, sealed, 0, sealed.length);
    }

    public byte[] open(String kind, byte[] sealed, int offset, int length) throws DamagedException {
        if (length < OVERHEAD) {
            throw new DamagedException("too short to be an encrypted " + kind.split(" ")[0]);
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, dataKey, new GCMParameterSpec(TAG * 8, sealed, offset, NONCE));
            c.updateAAD(associatedData(kind));
            return c.doFinal(sealed, offset + NONCE, length - NONCE);
        } catch (AEADBadTagException e) {
            throw new DamagedException("the " + kind.split(" ")[0] + " does not authenticate (damaged, or another repository's)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot decrypt: " + e.getMessage(), e);
        }
    }

    /** A blob's id: HMAC-SHA256(id key, SHA-256(plaintext)). */
    public byte[] blobId(byte[] plaintext) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(plaintext);
            // a clone of a keyed prototype: a provider lookup and a key setup per blob cost more than the HMAC
            return ((Mac) idMac.clone()).doFinal(hash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HMAC-SHA256 of this JDK cannot be cloned", e);
        }
    }

    /** The chunker's gear table: boundaries nobody without the key can predict. */
    public GearTable gearTable() {
        return GearTable.derive(idKey, "cervella-backup gear ");
    }
}
