package io.cervella.core.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The key format: {@code ck_} + a 12-character public id + a 43-character secret, all URL-safe
 * base64 (72 + 256 random bits). Only the SHA-256 of the whole key is stored: the key is random, so
 * a slow password hash would add nothing but latency.
 */
public final class ApiKeys {
    public static final String PREFIX = "ck_";
    static final int ID_CHARS = 12;
    static final int SECRET_CHARS = 43;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private ApiKeys() {}

    public static String generate() {
        byte[] id = new byte[9];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        return PREFIX + B64.encodeToString(id) + B64.encodeToString(secret);
    }

    /** The public id of a well-formed key, or null when the text is not a key at all. */
    public static String idOf(String key) {
        if (key == null || key.length() != PREFIX.length() + ID_CHARS + SECRET_CHARS || !key.startsWith(PREFIX)) {
            return null;
        }
        for (int i = PREFIX.length(); i < key.length(); i++) {
            char c = key.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return null;
            }
        }
        return key.substring(PREFIX.length(), PREFIX.length() + ID_CHARS);
    }

    public static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hashHex(String key) {
        return HexFormat.of().formatHex(hash(key));
    }

    /** Compares a presented key with a stored hash in time independent of where they differ. */
    public static boolean matches(String key, String storedHashHex) {
        return MessageDigest.isEqual(hash(key), HexFormat.of().parseHex(storedHashHex));
    }
}
