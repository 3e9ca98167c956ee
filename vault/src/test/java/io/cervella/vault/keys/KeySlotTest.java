package io.cervella.vault.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.StreamingAead;
import io.cervella.core.http.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class KeySlotTest {
    private static final byte[] AD = "cervella-vault chunk test".getBytes(StandardCharsets.UTF_8);

    private static byte[] encrypt(StreamingAead aead, byte[] plain) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream enc = aead.newEncryptingStream(out, AD)) {
            enc.write(plain);
        }
        return out.toByteArray();
    }

    private static byte[] decrypt(StreamingAead aead, byte[] cipher) throws Exception {
        try (InputStream dec = aead.newDecryptingStream(new ByteArrayInputStream(cipher), AD)) {
            return dec.readAllBytes();
        }
    }

    @Test
    void aPassphraseSlotOpensOnlyWithItsPassphraseAndVault() throws Exception {
        VaultKeys keys = VaultKeys.generate();
        byte[] slot = KeySlot.wrap(keys, new Unlock.Passphrase("correct horse battery staple"), "v1");
        assertThat(Json.MAPPER.readTree(slot).path("params").path("memory_kib").asInt()).isEqualTo(65536);
        assertThat(new String(slot, StandardCharsets.UTF_8)).doesNotContain("correct horse");

        VaultKeys opened = KeySlot.open(slot, new Unlock.Passphrase("correct horse battery staple"), "v1");
        byte[] secret = "Il budget mensile per le GPU".getBytes(StandardCharsets.UTF_8);
        assertThat(decrypt(opened.streamingAead(), encrypt(keys.streamingAead(), secret))).isEqualTo(secret);
        byte[] hash = new byte[32];
        assertThat(opened.chunkId(hash)).isEqualTo(keys.chunkId(hash)).isNotEqualTo(VaultKeys.generate().chunkId(hash));
        assertThat(opened.gearTable().toBase64()).isEqualTo(keys.gearTable().toBase64());

        assertThatThrownBy(() -> KeySlot.open(slot, new Unlock.Passphrase("wrong"), "v1"))
                .isInstanceOf(KeySlot.WrongKeyException.class).hasMessageContaining("wrong passphrase");
        assertThatThrownBy(() -> KeySlot.open(slot, new Unlock.Passphrase("correct horse battery staple"), "another-vault"))
                .isInstanceOf(KeySlot.WrongKeyException.class);
        assertThatThrownBy(() -> KeySlot.open(slot, Unlock.RawKey.parse(java.util.Base64.getEncoder().encodeToString(new byte[32])), "v1"))
                .isInstanceOf(KeySlot.WrongKeyException.class).hasMessageContaining("passphrase");
        assertThatThrownBy(() -> KeySlot.open("{not json".getBytes(StandardCharsets.UTF_8), new Unlock.Passphrase("x"), "v1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("damaged");
    }

    @Test
    void rotationKeepsOldDataReadableAndAPassphraseChangeTouchesNoData() throws Exception {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        Unlock.RawKey key = Unlock.RawKey.parse(java.util.Base64.getEncoder().encodeToString(raw));
        VaultKeys keys = KeySlot.open(KeySlot.wrap(VaultKeys.generate(), key, "v1"), key, "v1");
        byte[] old = encrypt(keys.streamingAead(), "scritto prima".getBytes(StandardCharsets.UTF_8));

        VaultKeys rotated = keys.rotate();
        assertThat(rotated.encryptionKeys()).isEqualTo(2);
        byte[] newer = encrypt(rotated.streamingAead(), "scritto dopo".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> decrypt(keys.streamingAead(), newer)).as("the old keyset lacks the new key");

        // the rotated keys go into a passphrase slot (a passphrase change: a new slot, the old one dropped)
        VaultKeys reopened = KeySlot.open(KeySlot.wrap(rotated, new Unlock.Passphrase("nuova"), "v1"),
                new Unlock.Passphrase("nuova"), "v1");
        assertThat(new String(decrypt(reopened.streamingAead(), old), StandardCharsets.UTF_8)).isEqualTo("scritto prima");
        assertThat(new String(decrypt(reopened.streamingAead(), newer), StandardCharsets.UTF_8)).isEqualTo("scritto dopo");
        assertThat(reopened.chunkId(new byte[32])).isEqualTo(keys.chunkId(new byte[32]));
        assertThatThrownBy(() -> Unlock.RawKey.parse("c2hvcnQ=")).hasMessageContaining("32 bytes");
    }
}
