package io.cervella.vault.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.vault.VaultRepository;
import io.cervella.core.blob.LocalBlobStore;
import io.cervella.core.crypto.Unlock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkStoreTest {
    @TempDir Path dir;
    private static final String MARKER = "MARKER-7f3a-segreto";

    @Test
    void chunksAreStoredOnceReadBackAfterReopeningAndPacksRollOver() throws Exception {
        LocalBlobStore blobs = new LocalBlobStore(dir.resolve("vault"));
        VaultRepository vault = VaultRepository.create(blobs, new Unlock.Passphrase("p"));
        ChunkStore store = ChunkStore.open(vault);
        List<byte[]> chunks = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < 80; i++) { // 80 × 256 KiB = 20 MiB: more than one pack
            byte[] c = new byte[256 * 1024];
            random.nextBytes(c);
            chunks.add(c);
        }
        chunks.add((MARKER + " nella nota").getBytes(StandardCharsets.UTF_8));
        for (byte[] c : chunks) {
            store.add(ChunkStore.sha256(c), c);
        }
        store.add(ChunkStore.sha256(chunks.getFirst()), chunks.getFirst()); // again: stored once
        assertThat(store.has(ChunkStore.sha256(chunks.getLast()))).as("received, waiting for its pack").isTrue();
        store.flush();
        assertThat(store.size()).isEqualTo(81);
        assertThat(blobs.list("packs/")).hasSizeGreaterThanOrEqualTo(2);
        assertThatThrownBy(() -> store.add(new byte[32], "x".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("do not hash");

        ChunkStore reopened = ChunkStore.open(VaultRepository.open(blobs, new Unlock.Passphrase("p")));
        assertThat(reopened.size()).isEqualTo(81);
        for (byte[] c : chunks) {
            assertThat(reopened.read(ChunkStore.sha256(c))).hasValueSatisfying(b -> assertThat(b).isEqualTo(c));
        }
        assertThat(reopened.read(new byte[32])).isEmpty();
        assertThat(reopened.check().clean()).isTrue();
        assertThat(reopened.check().chunks()).isEqualTo(81);

        // at rest nothing is readable: the marker is in no file of the store
        try (var files = Files.walk(dir.resolve("vault"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(MARKER);
            }
        }
    }

    @Test
    void checkFindsAFlippedBitAndNamesThePack() throws Exception {
        LocalBlobStore blobs = new LocalBlobStore(dir.resolve("vault"));
        ChunkStore store = ChunkStore.open(VaultRepository.create(blobs, new Unlock.Passphrase("p")));
        byte[] a = "prima nota".getBytes(StandardCharsets.UTF_8);
        byte[] b = "seconda nota".getBytes(StandardCharsets.UTF_8);
        store.add(ChunkStore.sha256(a), a);
        store.add(ChunkStore.sha256(b), b);
        store.flush();
        String pack = blobs.list("packs/").getFirst();
        Path file = dir.resolve("vault").resolve(pack);
        byte[] bytes = Files.readAllBytes(file);
        bytes[60] ^= 1; // inside the first chunk's ciphertext
        Files.write(file, bytes);

        ChunkStore.CheckReport report = store.check();
        assertThat(report.clean()).isFalse();
        assertThat(report.problems()).anySatisfy(p -> assertThat(p).contains(pack).contains("do not hash to its name"));
        assertThat(report.problems()).anySatisfy(p -> assertThat(p).contains(pack).contains("does not authenticate"));
        assertThatThrownBy(() -> store.read(ChunkStore.sha256(a))).isInstanceOf(PackReader.DamagedException.class);
        assertThat(store.read(ChunkStore.sha256(b))).hasValueSatisfying(v -> assertThat(v).isEqualTo(b));
    }
}
