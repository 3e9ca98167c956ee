package io.cervella.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.StreamingAead;
import io.cervella.core.blob.LocalBlobStore;
import io.cervella.core.crypto.KeySlot;
import io.cervella.core.crypto.Unlock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultRepositoryTest {
    @TempDir Path dir;
    private static final byte[] AD = "cervella-vault chunk test".getBytes(StandardCharsets.UTF_8);

    private static byte[] encrypt(StreamingAead aead, String plain) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream enc = aead.newEncryptingStream(out, AD)) {
            enc.write(plain.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static String decrypt(StreamingAead aead, byte[] cipher) throws Exception {
        try (InputStream dec = aead.newDecryptingStream(new ByteArrayInputStream(cipher), AD)) {
            return new String(dec.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aVaultOpensOnlyWithItsPassphraseAndTheKeysAreTheSame() throws Exception {
        LocalBlobStore store = new LocalBlobStore(dir.resolve("vault"));
        VaultRepository created = VaultRepository.create(store, new Unlock.Passphrase("correct horse battery staple"));
        byte[] secret = encrypt(created.keys().streamingAead(), "Il budget mensile per le GPU");
        assertThatThrownBy(() -> VaultRepository.create(store, new Unlock.Passphrase("x"))).hasMessageContaining("holds a vault");

        VaultRepository opened = VaultRepository.open(store, new Unlock.Passphrase("correct horse battery staple"));
        assertThat(opened.vaultId()).isEqualTo(created.vaultId());
        assertThat(decrypt(opened.keys().streamingAead(), secret)).isEqualTo("Il budget mensile per le GPU");
        assertThat(opened.keys().chunkId(new byte[32])).isEqualTo(created.keys().chunkId(new byte[32]));
        assertThatThrownBy(() -> VaultRepository.open(store, new Unlock.Passphrase("wrong")))
                .isInstanceOf(KeySlot.WrongKeyException.class).hasMessageContaining("wrong passphrase");
        assertThatThrownBy(() -> VaultRepository.open(new LocalBlobStore(dir.resolve("empty")), new Unlock.Passphrase("x")))
                .hasMessageContaining("no vault");
        // nothing of the passphrase or the keys is in the clear
        try (var files = Files.walk(dir.resolve("vault"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).doesNotContain("correct horse");
            }
        }
    }

    @Test
    void rotationAndAPassphraseChangeTouchNoDataAndKeepOldDataReadable() throws Exception {
        LocalBlobStore store = new LocalBlobStore(dir.resolve("vault"));
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        Unlock.RawKey serverKey = Unlock.RawKey.parse(Base64.getEncoder().encodeToString(raw));
        VaultRepository vault = VaultRepository.create(store, new Unlock.Passphrase("vecchia"));
        vault.addSlot(serverKey);
        byte[] before = encrypt(vault.keys().streamingAead(), "scritto prima");

        vault.rotateKeys();
        assertThat(vault.keys().encryptionKeys()).isEqualTo(2);
        byte[] after = encrypt(vault.keys().streamingAead(), "scritto dopo");

        // the passphrase changes: a new slot, the old one gone; the raw-key slot still opens the same keys
        VaultRepository byPassphrase = VaultRepository.open(store, new Unlock.Passphrase("vecchia"));
        byPassphrase.changeUnlock(new Unlock.Passphrase("nuova"));
        assertThatThrownBy(() -> VaultRepository.open(store, new Unlock.Passphrase("vecchia")))
                .isInstanceOf(KeySlot.WrongKeyException.class);
        for (VaultRepository v : new VaultRepository[] {VaultRepository.open(store, new Unlock.Passphrase("nuova")),
                VaultRepository.open(store, serverKey)}) {
            assertThat(decrypt(v.keys().streamingAead(), before)).isEqualTo("scritto prima");
            assertThat(decrypt(v.keys().streamingAead(), after)).isEqualTo("scritto dopo");
            assertThat(v.keys().chunkId(new byte[32])).isEqualTo(vault.keys().chunkId(new byte[32]));
        }
        assertThat(vault.slots()).hasSize(2);
        assertThat(store.list("keys/bundle-")).hasSize(2);
        assertThatThrownBy(() -> Unlock.RawKey.parse("c2hvcnQ=")).hasMessageContaining("32 bytes");
    }
}
