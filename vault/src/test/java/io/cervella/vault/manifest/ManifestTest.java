package io.cervella.vault.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.vault.keys.VaultKeys;
import io.cervella.vault.tree.VaultPath;
import io.cervella.vault.version.VersionVector;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTest {
    private final VaultKeys keys = VaultKeys.generate();
    private static final String HASH = "a".repeat(64);

    private Manifest sample(long seq) {
        return new Manifest(seq, "k1a2b3c4d5e6", 1_764_163_200_000L, List.of(
                new FileVersion(VaultPath.of("notes/decisioni.md"), VersionVector.EMPTY.next("k1a2b3c4d5e6"), false, 5120,
                        1_764_163_100_000L, HASH, List.of(HASH, "b".repeat(64))),
                FileVersion.tombstone(VaultPath.of("vecchio.md"), VersionVector.EMPTY.next("k9").next("k1a2b3c4d5e6"), 1L)));
    }

    @Test
    void aManifestComesBackAsItWasAndSaysNothingInTheClear() throws Exception {
        Manifest m = sample(42);
        assertThat(m.blobName()).isEqualTo("manifests/000000000000002a");
        byte[] blob = m.encrypt(keys.streamingAead());
        assertThat(new String(blob, StandardCharsets.ISO_8859_1)).doesNotContain("decisioni");
        assertThat(Manifest.decrypt(keys.streamingAead(), 42, blob)).isEqualTo(m);
    }

    @Test
    void aManifestUnderAnotherNumberOrDamagedIsRefused() {
        byte[] blob = sample(7).encrypt(keys.streamingAead());
        assertThatThrownBy(() -> Manifest.decrypt(keys.streamingAead(), 8, blob)).hasMessageContaining("manifest 8 does not authenticate");
        byte[] flipped = blob.clone();
        flipped[flipped.length - 20] ^= 1;
        assertThatThrownBy(() -> Manifest.decrypt(keys.streamingAead(), 7, flipped)).hasMessageContaining("does not authenticate");
        assertThatThrownBy(() -> new FileVersion(VaultPath.of("a.md"), VersionVector.EMPTY, true, 3, 0, "", List.of()))
                .hasMessageContaining("deletion");
        assertThatThrownBy(() -> new FileVersion(VaultPath.of("a.md"), VersionVector.EMPTY, false, 3, 0, HASH, List.of("xyz")))
                .hasMessageContaining("SHA-256");
    }
}
