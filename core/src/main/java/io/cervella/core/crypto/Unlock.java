package io.cervella.core.crypto;

import java.util.Base64;

/** What opens a key slot (a vault's, a backup repository's): the operator's passphrase, or a 32-byte key from a file or an environment variable. */
public sealed interface Unlock {
    record Passphrase(String value) implements Unlock {
        public Passphrase {
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("the passphrase is empty");
            }
        }

        @Override
        public String toString() {
            return "Passphrase[hidden]";
        }
    }

    record RawKey(byte[] key) implements Unlock {
        public RawKey {
            if (key == null || key.length != 32) {
                throw new IllegalArgumentException("a key is 32 bytes (44 characters of base64)");
            }
            key = key.clone();
        }

        /** A copy: callers wipe what they were given once used. */
        @Override
        public byte[] key() {
            return key.clone();
        }

        /** A key as a key file or an environment variable holds it: base64, surrounding blanks ignored. */
        public static RawKey parse(String base64) {
            try {
                return new RawKey(Base64.getDecoder().decode(base64.strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a key is 32 bytes in base64: " + e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "RawKey[hidden]";
        }
    }
}
