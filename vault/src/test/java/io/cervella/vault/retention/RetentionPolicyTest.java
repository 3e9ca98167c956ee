package io.cervella.vault.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.vault.index.VaultIndex;
import io.cervella.vault.manifest.FileVersion;
import io.cervella.vault.tree.VaultPath;
import io.cervella.vault.version.VersionVector;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {
    private static final Instant NOW = Instant.parse("2026-11-26T00:00:00Z");
    private static final String H = "a".repeat(64);

    private static VaultIndex.Versioned content(String path, long seq) {
        return new VaultIndex.Versioned(seq, new FileVersion(VaultPath.of(path), VersionVector.EMPTY.next("d"), false, 1, 1, H, List.of(H)));
    }

    private static VaultIndex.Versioned tombstone(String path, long seq) {
        return new VaultIndex.Versioned(seq, FileVersion.tombstone(VaultPath.of(path), VersionVector.EMPTY.next("d"), 1));
    }

    private static long daysAgo(int d) {
        return NOW.minus(Duration.ofDays(d)).toEpochMilli();
    }

    @Test
    void keepsRecentAndLastVersionsAndForgetsOldTombstones() {
        List<VaultIndex.Versioned> all = List.of(content("a.md", 1), content("a.md", 2), content("a.md", 3), content("a.md", 4),
                content("b.md", 5), tombstone("b.md", 6), content("c.md", 7), tombstone("c.md", 8));
        Map<Long, Long> at = Map.of(1L, daysAgo(100), 2L, daysAgo(90), 3L, daysAgo(60), 4L, daysAgo(10),
                5L, daysAgo(100), 6L, daysAgo(45), 7L, daysAgo(50), 8L, daysAgo(5));
        RetentionPolicy.Decision d = new RetentionPolicy(Duration.ofDays(30), 2).decide(all, at, NOW);
        // a.md: 1 and 2 were replaced long ago and are not among the last two; 3 is (replaced 10 days ago, too)
        // b.md: deleted 45 days ago: forgotten; c.md: deleted 5 days ago: kept with its content
        assertThat(d.drop()).extracting(VaultIndex.Versioned::seq).containsExactlyInAnyOrder(1L, 2L, 5L, 6L);
        assertThat(d.pathsForgotten()).isEqualTo(1);
        // one version a path and a one-day window: only a.md's current version stays (c.md's deletion is 5 days old)
        RetentionPolicy.Decision tight = new RetentionPolicy(Duration.ofDays(1), 1).decide(all, at, NOW);
        assertThat(tight.drop()).extracting(VaultIndex.Versioned::seq).containsExactlyInAnyOrder(1L, 2L, 3L, 5L, 6L, 7L, 8L);
        assertThat(tight.pathsForgotten()).isEqualTo(2);
    }
}
