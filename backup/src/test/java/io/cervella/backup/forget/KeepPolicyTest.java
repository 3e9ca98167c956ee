package io.cervella.backup.forget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.backup.snapshot.Snapshot;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeepPolicyTest {
    /** One snapshot every 6 hours for 70 days, ending 2026-11-26 18:00 UTC; ids are their times. */
    private static List<Snapshot> everySixHours() {
        List<Snapshot> out = new ArrayList<>();
        Instant end = Instant.parse("2026-11-26T18:00:00Z");
        for (int i = 0; i < 70 * 4; i++) {
            Instant t = end.minusSeconds(6L * 3600 * i);
            out.add(new Snapshot(t.toString(), t.toEpochMilli(), "h", List.of(), Map.of(), "sqlite", 4,
                    new Snapshot.Summary(0, 0, 0, 0, 0), null));
        }
        return out;
    }

    @Test
    void eachRuleKeepsTheNewestOfItsPeriods() {
        List<Snapshot> all = everySixHours();
        assertThat(new KeepPolicy(3, 0, 0, 0).keep(all, ZoneOffset.UTC))
                .containsExactlyInAnyOrder("2026-11-26T18:00:00Z", "2026-11-26T12:00:00Z", "2026-11-26T06:00:00Z");
        assertThat(new KeepPolicy(0, 3, 0, 0).keep(all, ZoneOffset.UTC))
                .containsExactlyInAnyOrder("2026-11-26T18:00:00Z", "2026-11-25T18:00:00Z", "2026-11-24T18:00:00Z");
        // ISO weeks: 2026-11-26 is a Thursday; the week before ends on Sunday 2026-11-22
        assertThat(new KeepPolicy(0, 0, 2, 0).keep(all, ZoneOffset.UTC))
                .containsExactlyInAnyOrder("2026-11-26T18:00:00Z", "2026-11-22T18:00:00Z");
        assertThat(new KeepPolicy(0, 0, 0, 3).keep(all, ZoneOffset.UTC))
                .containsExactlyInAnyOrder("2026-11-26T18:00:00Z", "2026-10-31T18:00:00Z", "2026-09-30T18:00:00Z");
        // rules add up; a snapshot two rules keep counts once
        assertThat(new KeepPolicy(2, 2, 0, 0).keep(all, ZoneOffset.UTC)).hasSize(3);
    }

    @Test
    void aPolicyThatKeepsNothingIsRefused() {
        assertThatThrownBy(() -> new KeepPolicy(0, 0, 0, 0)).hasMessageContaining("keeps no snapshot");
        assertThatThrownBy(() -> new KeepPolicy(-1, 1, 0, 0)).hasMessageContaining("0 or more");
    }
}
