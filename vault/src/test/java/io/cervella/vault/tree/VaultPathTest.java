package io.cervella.vault.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VaultPathTest {
    @Test
    void pathsAreBroughtToNfcAndBadOnesRefusedWithTheReason() {
        assertThat(VaultPath.of("notes/cafe\u0301.md").value()).isEqualTo("notes/caf\u00e9.md");
        assertThat(VaultPath.of("a b/ç.md").value()).isEqualTo("a b/ç.md");
        assertThatThrownBy(() -> VaultPath.of("../etc/passwd")).hasMessageContaining("'..'");
        assertThatThrownBy(() -> VaultPath.of("a/../../b")).hasMessageContaining("'..'");
        assertThatThrownBy(() -> VaultPath.of("a/./b")).hasMessageContaining("'.'");
        assertThatThrownBy(() -> VaultPath.of("a//b")).hasMessageContaining("empty");
        assertThatThrownBy(() -> VaultPath.of("a/")).hasMessageContaining("empty");
        assertThatThrownBy(() -> VaultPath.of("/abs.md")).hasMessageContaining("absolute");
        assertThatThrownBy(() -> VaultPath.of("a\u0000b")).hasMessageContaining("control character").hasMessageContaining("\\u0000");
        assertThatThrownBy(() -> VaultPath.of("a\\b")).hasMessageContaining("backslash");
        assertThatThrownBy(() -> VaultPath.of("")).hasMessageContaining("required");
        assertThatThrownBy(() -> VaultPath.of("x".repeat(4097))).hasMessageContaining("4096");
    }

    @Test
    void pathsThatOneFileSystemWouldMergeShareACollisionKey() {
        assertThat(VaultPath.of("Notes/Idea.md").collisionKey()).isEqualTo(VaultPath.of("notes/idea.md").collisionKey());
        assertThat(VaultPath.of("\ufb01le.md").collisionKey()).isEqualTo(VaultPath.of("file.md").collisionKey());
        assertThat(VaultPath.of("caf\u00e9.md").collisionKey()).isEqualTo(VaultPath.of("CAFE\u0301.md").collisionKey());
        assertThat(VaultPath.of("a.md").collisionKey()).isNotEqualTo(VaultPath.of("b.md").collisionKey());
    }
}
