package io.cervella.vault.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.core.store.MetadataStore;
import io.cervella.core.testkit.StoreKind;
import io.cervella.vault.VaultRepository;
import io.cervella.core.blob.LocalBlobStore;
import io.cervella.core.crypto.Unlock;
import io.cervella.vault.manifest.FileVersion;
import io.cervella.vault.tree.VaultPath;
import io.cervella.vault.version.VersionVector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class VaultIndexTest {
    @TempDir Path dir;
    private static final String HASH = "a".repeat(64);

    private static FileVersion file(String path, VersionVector v) {
        return new FileVersion(VaultPath.of(path), v, false, 12, 1, HASH, List.of(HASH));
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void commitsAreNumberedAndVersionsFoundByPathWithoutNamesInTheClear(StoreKind kind) throws Exception {
        VaultRepository vault = VaultRepository.create(new LocalBlobStore(dir.resolve("vault")), new Unlock.Passphrase("p"));
        try (MetadataStore db = kind.open(dir)) {
            VaultIndex index = new VaultIndex(db, vault);
            assertThat(index.head()).isZero();
            List<Long> madeDurable = new ArrayList<>();
            VersionVector v1 = VersionVector.EMPTY.next("laptop");
            long first = index.commit("laptop", 1000, List.of(file("notes/SEGRETO-decisioni.md", v1), file("b.md", v1)), madeDurable::add);
            long second = index.commit("server", 2000, List.of(file("notes/SEGRETO-decisioni.md", v1.next("server"))), madeDurable::add);
            assertThat(List.of(first, second)).containsExactly(1L, 2L);
            assertThat(madeDurable).containsExactly(1L, 2L);
            assertThat(index.head()).isEqualTo(2);

            // a failure to make the manifest durable rolls the commit back; its number is used again
            assertThatThrownBy(() -> index.commit("laptop", 3000, List.of(file("c.md", v1)), seq -> {
                throw new IOException("disk full");
            })).hasMessageContaining("disk full");
            assertThat(index.head()).isEqualTo(2);
            assertThat(index.commit("laptop", 3000, List.of(file("c.md", v1)), seq -> {})).isEqualTo(3);
            assertThat(index.commits()).containsExactly(1L, 2L, 3L);

            // the current version; colliding names (case) come along with the path asked for
            var current = index.current(List.of(VaultPath.of("NOTES/segreto-decisioni.md")));
            assertThat(current).containsOnlyKeys(VaultPath.of("notes/SEGRETO-decisioni.md"));
            assertThat(current.values().iterator().next().vector().get("server")).isEqualTo(1);
            assertThat(index.history(VaultPath.of("notes/SEGRETO-decisioni.md"))).extracting(VaultIndex.Versioned::seq)
                    .containsExactly(1L, 2L);
            assertThat(index.changesSince(1, 100)).extracting(v -> v.version().path().value())
                    .containsExactly("notes/SEGRETO-decisioni.md", "c.md");
            assertThat(index.changesSince(0, 2)).hasSize(2);
        }
        if (kind == StoreKind.SQLITE) {
            // the database file holds no file name in the clear
            for (String f : new String[] {"cervella.db", "cervella.db-wal"}) {
                Path p = dir.resolve(f);
                if (Files.exists(p)) {
                    assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).doesNotContain("SEGRETO");
                }
            }
        }
    }
}
