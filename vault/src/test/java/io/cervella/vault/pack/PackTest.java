package io.cervella.vault.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.vault.keys.VaultKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PackTest {
    private final VaultKeys keys = VaultKeys.generate();

    private byte[] id(String content) throws Exception {
        return keys.chunkId(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void chunksComeBackFromThePackAndItsHeaderListsThem() throws Exception {
        PackWriter w = new PackWriter(keys.streamingAead());
        List<String> contents = List.of("# Decisioni\n\nAbbiamo scelto PostgreSQL.", "", "x".repeat(70_000));
        for (String c : contents) {
            w.add(id(c), c.getBytes(StandardCharsets.UTF_8));
        }
        PackWriter.Pack pack = w.finish();
        assertThat(pack.blobName()).isEqualTo("packs/" + pack.name().substring(0, 2) + "/" + pack.name());
        assertThat(PackWriter.sha256(pack.bytes())).isEqualTo(pack.name());
        assertThat(new String(pack.bytes(), StandardCharsets.ISO_8859_1)).doesNotContain("PostgreSQL");

        PackReader r = new PackReader(keys.streamingAead());
        List<PackEntry> header = r.header(pack.name(), pack.bytes());
        assertThat(header).hasSize(3);
        for (int i = 0; i < contents.size(); i++) {
            PackEntry e = header.get(i);
            assertThat(e.chunkId()).isEqualTo(id(contents.get(i)));
            byte[] cipher = Arrays.copyOfRange(pack.bytes(), e.offset(), e.offset() + e.ciphertextLength());
            assertThat(new String(r.chunk(pack.name(), e, cipher), StandardCharsets.UTF_8)).isEqualTo(contents.get(i));
        }
    }

    @Test
    void damageIsFoundAndNamed() throws Exception {
        PackWriter w = new PackWriter(keys.streamingAead());
        w.add(id("a"), "a".getBytes(StandardCharsets.UTF_8));
        w.add(id("b"), "b".getBytes(StandardCharsets.UTF_8));
        PackWriter.Pack pack = w.finish();
        PackReader r = new PackReader(keys.streamingAead());
        List<PackEntry> header = r.header(pack.name(), pack.bytes());

        byte[] flipped = pack.bytes().clone();
        flipped[header.get(0).offset() + 50] ^= 1; // one bit in the first chunk
        byte[] cipher = Arrays.copyOfRange(flipped, header.get(0).offset(), header.get(0).offset() + header.get(0).ciphertextLength());
        assertThatThrownBy(() -> r.chunk(pack.name(), header.get(0), cipher))
                .isInstanceOf(PackReader.DamagedException.class).hasMessageContaining(pack.name());
        // a chunk read under another chunk's id (swapped in) does not authenticate either
        byte[] second = Arrays.copyOfRange(pack.bytes(), header.get(1).offset(), header.get(1).offset() + header.get(1).ciphertextLength());
        assertThatThrownBy(() -> r.chunk(pack.name(), header.get(0), second)).isInstanceOf(PackReader.DamagedException.class);
        // a cut-short pack, and another vault's keys
        assertThatThrownBy(() -> r.header(pack.name(), Arrays.copyOf(pack.bytes(), pack.bytes().length - 10)))
                .isInstanceOf(PackReader.DamagedException.class);
        assertThatThrownBy(() -> new PackReader(VaultKeys.generate().streamingAead()).header(pack.name(), pack.bytes()))
                .isInstanceOf(PackReader.DamagedException.class).hasMessageContaining("does not authenticate");
    }
}
