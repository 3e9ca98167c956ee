package io.cervella.backup.forget;

import io.cervella.backup.snapshot.Snapshot;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.IsoFields;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Which snapshots stay (docs/formats/backup.md, forget): the N newest; the newest of each of the N most
 * recent days, ISO weeks and months that have one. A snapshot any rule keeps stays. A policy that keeps
 * nothing is refused: forgetting everything is never what a schedule means.
 */
public record KeepPolicy(int last, int daily, int weekly, int monthly) {
    public KeepPolicy {
        if (last < 0 || daily < 0 || weekly < 0 || monthly < 0) {
            throw new IllegalArgumentException("keep counts are 0 or more");
        }
        if (last + daily + weekly + monthly == 0) {
            throw new IllegalArgumentException("a policy that keeps no snapshot: give keep_last, keep_daily, keep_weekly or keep_monthly");
        }
    }

    /** The snapshots to keep, of {@code all}, in the given zone's calendar. */
    public Set<String> keep(List<Snapshot> all, ZoneId zone) {
        List<Snapshot> newestFirst = all.stream().sorted(Comparator.comparingLong(Snapshot::time).reversed()).toList();
        Set<String> keep = new LinkedHashSet<>();
        newestFirst.stream().limit(last).forEach(s -> keep.add(s.id()));
        keepNewestPer(newestFirst, daily, s -> date(s, zone), keep);
        keepNewestPer(newestFirst, weekly, s -> {
            LocalDate d = date(s, zone);
            return d.get(IsoFields.WEEK_BASED_YEAR) + "-W" + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        }, keep);
        keepNewestPer(newestFirst, monthly, s -> date(s, zone).withDayOfMonth(1), keep);
        return keep;
    }

    private static LocalDate date(Snapshot s, ZoneId zone) {
        return Instant.ofEpochMilli(s.time()).atZone(zone).toLocalDate();
    }

    private static void keepNewestPer(List<Snapshot> newestFirst, int periods, Function<Snapshot, Object> period, Set<String> keep) {
        Set<Object> seen = new HashSet<>();
        for (Snapshot s : newestFirst) {
            if (seen.size() >= periods) {
                return;
            }
            if (seen.add(period.apply(s))) {
                keep.add(s.id());
            }
        }
    }
}
