package io.cervella.core.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.cervella.core.store.MetadataStore;
import io.cervella.core.testkit.StoreKind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link UsageLedger#traffic}: hand-made rows through the real ledger, every figure worked out by hand. */
class UsageTrafficTest {
    @TempDir Path dir;

    /** The window of the main test: two days from this midnight (UTC). */
    private static final Instant D = Instant.parse("2026-03-02T00:00:00Z");
    private static final Instant TO = D.plus(Duration.ofDays(2));

    /** A request that started at {@code start} and took {@code latencyMs}: the ledger keeps its end. */
    private static UsageEvent request(String model, Instant start, double latencyMs, int status, long prompt,
                                      long completion, Double ttftMs) {
        Instant end = start.plusMillis((long) latencyMs);
        return new UsageEvent(TimeOrderedIds.next(end.toEpochMilli()), end, "k", model, "b", status, false, prompt,
                completion, false, latencyMs, ttftMs, 0);
    }

    private static void recordAll(UsageLedger ledger, List<UsageEvent> events) throws Exception {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        events.forEach(e -> done.add(ledger.record(e)));
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    private static Instant at(int day, String time) {
        return D.plus(Duration.ofDays(day)).plus(Duration.between(Instant.parse("2000-01-01T00:00:00Z"),
                Instant.parse("2000-01-01T" + time + "Z")));
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void oneModelsTrafficIsCountedAveragedAndSwept(StoreKind kind) throws Exception {
        try (MetadataStore store = kind.open(dir); UsageLedger ledger = new UsageLedger(store)) {
            List<UsageEvent> events = new ArrayList<>(List.of(
                    // three overlapping at 09:00 (peak 3), and a fourth starting the very millisecond the first ends
                    request("chat", at(0, "09:00:00"), 10_000, 200, 100, 40, 100.0),
                    request("chat", at(0, "09:00:02"), 10_000, 200, 200, 60, 200.0),
                    request("chat", at(0, "09:00:05"), 10_000, 200, 300, 80, 300.0),
                    request("chat", at(0, "09:00:10"), 1_000, 200, 400, 20, 400.0),
                    // started at 23:59:59.5 on day 0, ended on day 1: hour 23 (the start's)
                    request("chat", at(0, "23:59:59.500"), 1_000, 200, 500, 100, 500.0),
                    // a backend failure and a client gone: errors, left out of the means
                    request("chat", at(1, "14:00:00"), 200, 502, 50, 0, null),
                    request("chat", at(1, "14:30:00"), 300, 0, 70, 0, null),
                    // ended at the window's first millisecond (in), started the evening before: hour 23
                    request("chat", D.minusMillis(500), 500, 200, 600, 200, 600.0),
                    // outside: ended a millisecond before the window, and at its end (excluded)
                    request("chat", D.minusMillis(501), 500, 200, 9_000, 9_000, 9_000.0),
                    request("chat", TO.minusMillis(100), 100, 200, 9_000, 9_000, 9_000.0),
                    // another chat model with little output, and embeddings (no completion tokens)
                    request("other", at(0, "05:00:00"), 100, 200, 10, 1, 50.0),
                    request("other", at(0, "05:00:01"), 100, 200, 10, 1, 50.0)));
            for (int i = 0; i < 10; i++) {
                events.add(request("embed", at(1, "03:00:0" + i), 50, 200, 1000, 0, null));
            }
            recordAll(ledger, events);

            UsageTraffic chat = ledger.traffic(D, TO, "chat");
            assertThat(chat.from()).isEqualTo(D);
            assertThat(chat.to()).isEqualTo(TO);
            assertThat(chat.days()).isEqualTo(2.0);
            assertThat(chat.model()).isEqualTo("chat");
            assertThat(chat.requests()).isEqualTo(8);
            assertThat(chat.errors()).isEqualTo(2);
            List<Long> hourly = new ArrayList<>(Collections.nCopies(24, 0L));
            hourly.set(9, 4L);
            hourly.set(14, 2L);
            hourly.set(23, 2L);
            assertThat(chat.hourly()).isEqualTo(hourly);
            // the six 2xx: prompts 100..600 → 2100 / 6; completions 40+60+80+20+100+200 = 500 → 500 / 6
            assertThat(chat.promptTokensMean()).isCloseTo(350.0, within(1e-9));
            assertThat(chat.completionTokensMean()).isCloseTo(500.0 / 6, within(1e-9));
            // [0,10) [2,12) [5,15) [10,11): three at 5 s, and three again at 10 s (one ends as one starts)
            assertThat(chat.peakConcurrency()).isEqualTo(3);
            // TTFTs 100..600: ⌈0.95 × 6⌉ = 6th smallest
            assertThat(chat.ttftP95Ms()).isEqualTo(600.0);
            assertThat(chat.sampled()).isFalse();
            assertThat(chat.requestsByModel()).containsExactly(
                    java.util.Map.entry("embed", 10L), java.util.Map.entry("chat", 8L), java.util.Map.entry("other", 2L));

            // No model named: the most completion tokens (chat 500, other 2, embed 0), not the most requests
            UsageTraffic picked = ledger.traffic(D, TO, null);
            assertThat(picked.model()).isEqualTo("chat");
            assertThat(picked.requests()).isEqualTo(8);

            UsageTraffic embed = ledger.traffic(D, TO, "embed");
            assertThat(embed.requests()).isEqualTo(10);
            assertThat(embed.hourly().get(3)).isEqualTo(10);
            assertThat(embed.hourlyTotal()).isEqualTo(10);
            assertThat(embed.completionTokensMean()).isEqualTo(0.0);
            assertThat(embed.promptTokensMean()).isEqualTo(1000.0);
            assertThat(embed.peakConcurrency()).isEqualTo(1); // 50 ms each, a second apart
            assertThat(embed.ttftP95Ms()).isNull();

            UsageTraffic absent = ledger.traffic(D, TO, "nope");
            assertThat(absent.model()).isEqualTo("nope");
            assertThat(absent.requests()).isZero();
            assertThat(absent.hourlyTotal()).isZero();
            assertThat(absent.promptTokensMean()).isNull();
            assertThat(absent.peakConcurrency()).isZero();

            UsageTraffic empty = ledger.traffic(TO.plusSeconds(3600), TO.plusSeconds(7200), null);
            assertThat(empty.model()).isNull();
            assertThat(empty.requests()).isZero();
            assertThat(empty.requestsByModel()).isEmpty();
            assertThat(empty.days()).isCloseTo(1.0 / 24, within(1e-12));
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void theP95AndThePeakComeFromTheNewestRowsWhenThereAreTooMany(StoreKind kind) throws Exception {
        try (MetadataStore store = kind.open(dir); UsageLedger ledger = new UsageLedger(store)) {
            List<UsageEvent> events = new ArrayList<>();
            // 20 successful requests a minute apart with TTFTs 10, 20, ... 200 ms; the first three overlap
            for (int i = 1; i <= 20; i++) {
                Instant start = i <= 3 ? at(0, "08:00:0" + i) : at(0, "08:00:00").plusSeconds(60L * i);
                events.add(request("chat", start, 5_000, 200, 10, 10, 10.0 * i));
            }
            // a failure's TTFT and a success without one do not count
            events.add(request("chat", at(0, "12:00:00"), 100, 500, 10, 0, 5_000.0));
            events.add(request("chat", at(0, "12:01:00"), 100, 200, 10, 10, null));
            Collections.shuffle(events);
            recordAll(ledger, events);

            UsageTraffic all = ledger.traffic(D, TO, "chat");
            assertThat(all.requests()).isEqualTo(22);
            assertThat(all.peakConcurrency()).isEqualTo(3);
            assertThat(all.ttftP95Ms()).isEqualTo(190.0); // ⌈0.95 × 20⌉ = 19th of 10..200
            assertThat(all.sampled()).isFalse();

            // the newest 6 rows: 12:01, 12:00 (no TTFT, failed) and requests 17..20 (170..200 ms, apart)
            UsageTraffic sampled = ledger.traffic(D, TO, "chat", 6);
            assertThat(sampled.sampled()).isTrue();
            assertThat(sampled.requests()).isEqualTo(22); // the counts still read every row
            assertThat(sampled.hourlyTotal()).isEqualTo(22);
            assertThat(sampled.peakConcurrency()).isEqualTo(1);
            assertThat(sampled.ttftP95Ms()).isEqualTo(200.0); // ⌈0.95 × 4⌉ = 4th of 170..200
        }
    }

    @Test
    void theSweepCountsHalfOpenIntervalsOfAtLeastOneMillisecond() {
        assertThat(UsageLedger.peakInFlight(List.of())).isZero();
        assertThat(UsageLedger.peakInFlight(List.of(new long[] {0, 10}, new long[] {10, 20}))).isEqualTo(1);
        assertThat(UsageLedger.peakInFlight(List.of(new long[] {0, 10}, new long[] {9, 20}))).isEqualTo(2);
        // two zero-length requests in the same millisecond were both in flight
        assertThat(UsageLedger.peakInFlight(List.of(new long[] {5, 5}, new long[] {5, 5}))).isEqualTo(2);
        assertThat(UsageLedger.nearestRankP95(new double[] {})).isNull();
        assertThat(UsageLedger.nearestRankP95(new double[] {3, 1, 2})).isEqualTo(3.0);
    }

    @Test
    void anEmptyWindowIsRefused() {
        try (MetadataStore store = StoreKind.SQLITE.open(dir); UsageLedger ledger = new UsageLedger(store)) {
            assertThatThrownBy(() -> ledger.traffic(TO, D, null)).hasMessageContaining("must end after it starts");
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void daysCountFromTheLedgersFirstRowWhenTheWindowReachesBeforeIt(StoreKind kind) throws Exception {
        try (MetadataStore store = kind.open(dir); UsageLedger ledger = new UsageLedger(store)) {
            // the platform's first request three days before the end of a 14-day window
            recordAll(ledger, List.of(request("chat", TO.minus(Duration.ofDays(3)), 1_000, 200, 10, 5, 10.0),
                    request("chat", TO.minus(Duration.ofHours(1)), 1_000, 200, 10, 5, 10.0)));
            UsageTraffic t = ledger.traffic(TO.minus(Duration.ofDays(14)), TO, "chat");
            assertThat(t.days()).isCloseTo(3.0 - 1.0 / 86_400, within(1e-9)); // from the first row's end
            assertThat(t.requests()).isEqualTo(2);
            // asked two hours after its first row, a ledger counts as one day, not as the two hours it holds
            Instant early = TO.minus(Duration.ofDays(3)).plus(Duration.ofHours(2));
            UsageTraffic young = ledger.traffic(early.minus(Duration.ofDays(14)), early, "chat");
            assertThat(young.days()).isEqualTo(1.0);
            assertThat(young.requests()).isEqualTo(1);

        }
    }
}
