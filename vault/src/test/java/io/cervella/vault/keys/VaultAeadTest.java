package io.cervella.vault.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The one-call seal writes Tink's format: Tink's own reader, with no knowledge of the shortcut, opens it. */
class VaultAeadTest {
    private static final byte[] AD = "cervella-vault chunk test".getBytes(StandardCharsets.US_ASCII);
    private static final int ONE_SEGMENT = (1 << 20) - VaultAead.HEADER - 16;

    @BeforeAll
    static void register() throws GeneralSecurityException {
        StreamingAeadConfig.register();
    }

    private static KeysetHandle keyset() throws GeneralSecurityException {
        return KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB);
    }

    private static StreamingAead tink(KeysetHandle keys) throws GeneralSecurityException {
        return keys.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
    }

    private static byte[] open(StreamingAead aead, byte[] ciphertext, byte[] ad) throws Exception {
        try (InputStream in = aead.newDecryptingStream(new ByteArrayInputStream(ciphertext), ad)) {
            return in.readAllBytes();
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void tinksReaderOpensWhatTheShortcutSealsAtEverySize() throws Exception {
        KeysetHandle keys = keyset();
        VaultAead aead = new VaultAead(tink(keys), keys.getPrimary().getKey());
        for (int n : new int[] {0, 1, 40, 65_536, 262_144, ONE_SEGMENT - 1, ONE_SEGMENT, ONE_SEGMENT + 1, 3 << 20}) {
            byte[] plain = random(n);
            byte[] sealed = aead.seal(AD, plain);
            assertThat(open(tink(keys), sealed, AD)).as("%d bytes", n).isEqualTo(plain);
            assertThat(aead.fitsOneSegment(n)).isEqualTo(n < ONE_SEGMENT);
            if (n < ONE_SEGMENT) {
                assertThat(sealed).hasSize(VaultAead.HEADER + n + 16); // one segment: header, ciphertext, tag
                assertThat(sealed[0]).isEqualTo((byte) VaultAead.HEADER);
            }
        }
    }

    @Test
    void aPrefixByteAndTheBodyAreOneMessage() throws Exception {
        KeysetHandle keys = keyset();
        VaultAead aead = new VaultAead(tink(keys), keys.getPrimary().getKey());
        byte[] sealed = aead.seal(AD, new byte[] {7}, "body".getBytes(StandardCharsets.US_ASCII));
        assertThat(open(tink(keys), sealed, AD)).isEqualTo(new byte[] {7, 'b', 'o', 'd', 'y'});
    }

    @Test
    void eachSealIsFreshAndBoundToItsAssociatedData() throws Exception {
        KeysetHandle keys = keyset();
        VaultAead aead = new VaultAead(tink(keys), keys.getPrimary().getKey());
        byte[] plain = random(1000);
        byte[] a = aead.seal(AD, plain);
        byte[] b = aead.seal(AD, plain);
        assertThat(Arrays.equals(a, b)).as("a new salt and nonce prefix each time").isFalse();
        assertThatThrownBy(() -> open(tink(keys), a, "another chunk".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IOException.class);
        byte[] flipped = a.clone();
        flipped[VaultAead.HEADER + 10] ^= 1;
        assertThatThrownBy(() -> open(tink(keys), flipped, AD)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> open(tink(keyset()), a, AD)).as("another key").isInstanceOf(IOException.class);
    }

    @Test
    void theStreamSealsSmallMessagesInOneCallAndHandsLargeOnesToTink() throws Exception {
        KeysetHandle keys = keyset();
        VaultAead aead = new VaultAead(tink(keys), keys.getPrimary().getKey());
        for (int n : new int[] {0, 5000, ONE_SEGMENT + 5000, 5 << 20}) {
            byte[] plain = random(n);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (OutputStream enc = aead.newEncryptingStream(out, AD)) {
                for (int at = 0; at < n; at += 4096) { // in pieces, as callers write
                    enc.write(plain, at, Math.min(4096, n - at));
                }
            }
            assertThat(open(tink(keys), out.toByteArray(), AD)).as("%d bytes", n).isEqualTo(plain);
            assertThat(open(aead, out.toByteArray(), AD)).isEqualTo(plain);
        }
    }

    @Test
    void afterARotationTheNewPrimarySealsAndOldCiphertextsStillOpen() throws Exception {
        VaultKeys before = VaultKeys.generate();
        byte[] old = before.streamingAead().seal(AD, "old".getBytes(StandardCharsets.US_ASCII));
        VaultKeys after = before.rotate();
        byte[] fresh = after.streamingAead().seal(AD, "new".getBytes(StandardCharsets.US_ASCII));
        assertThat(open(after.streamingAead(), old, AD)).isEqualTo("old".getBytes(StandardCharsets.US_ASCII));
        assertThat(open(after.streamingAead(), fresh, AD)).isEqualTo("new".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> open(before.streamingAead(), fresh, AD)).as("sealed with the new key")
                .isInstanceOf(IOException.class);
    }
}
