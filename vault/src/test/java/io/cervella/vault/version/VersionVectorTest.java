package io.cervella.vault.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionVectorTest {
    @Test
    void versionsDescendOrRunSideBySide() {
        VersionVector base = VersionVector.EMPTY.next("laptop");
        VersionVector laptop2 = base.next("laptop");
        VersionVector server = base.next("server");
        assertThat(laptop2.compare(base)).isEqualTo(VersionVector.Order.AFTER);
        assertThat(base.compare(laptop2)).isEqualTo(VersionVector.Order.BEFORE);
        assertThat(laptop2.compare(server)).isEqualTo(VersionVector.Order.CONCURRENT);
        assertThat(server.compare(new VersionVector(Map.of("laptop", 1L, "server", 1L)))).isEqualTo(VersionVector.Order.EQUAL);
        assertThat(laptop2.includes(base)).isTrue();
        assertThat(base.includes(laptop2)).isFalse();
        assertThat(laptop2.includes(server)).isFalse();
        // zero entries say nothing: {a:0} equals {}
        assertThat(new VersionVector(Map.of("a", 0L))).isEqualTo(VersionVector.EMPTY);
        assertThatThrownBy(() -> new VersionVector(Map.of("a", -1L))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void conflictCopiesAreNamedAfterTheDeviceAndTheTime() {
        Instant at = Instant.parse("2026-11-26T15:04:05Z");
        assertThat(ConflictName.of("notes/decisioni.md", "laptop-rafa", at)).isEqualTo("notes/decisioni.conflict-laptop-rafa-20261126-150405.md");
        assertThat(ConflictName.of("README", "ci", at)).isEqualTo("README.conflict-ci-20261126-150405");
        assertThat(ConflictName.of("a/.env", "ci", at)).isEqualTo("a/.env.conflict-ci-20261126-150405");
        assertThat(ConflictName.of("x.tar.gz", "my laptop/2", at)).isEqualTo("x.tar.conflict-my_laptop_2-20261126-150405.gz");
    }
}
