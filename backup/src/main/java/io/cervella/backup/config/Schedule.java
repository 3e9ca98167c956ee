package io.cervella.backup.config;

import io.cervella.core.config.ConfigException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a target is backed up: {@code hourly}, {@code daily}, {@code weekly}, {@code every 6h} /
 * {@code every 30m} / {@code every 2d}, or {@code daily at 03:30} (server's time zone), or {@code off}.
 */
public record Schedule(Duration every, LocalTime at) {
    private static final Pattern EVERY = Pattern.compile("every (\\d+)\\s*(m|h|d)");
    private static final Pattern DAILY_AT = Pattern.compile("daily at (\\d{1,2}):(\\d{2})");

    public static final Schedule OFF = new Schedule(null, null);

    public static Schedule parse(String text, String key) {
        if (text == null || text.isBlank() || text.strip().equals("off")) {
            return OFF;
        }
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        switch (t) {
            case "hourly" -> { return new Schedule(Duration.ofHours(1), null); }
            case "daily" -> { return new Schedule(Duration.ofDays(1), null); }
            case "weekly" -> { return new Schedule(Duration.ofDays(7), null); }
            default -> { }
        }
        Matcher m = EVERY.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            ConfigException.check(d.compareTo(Duration.ofMinutes(5)) >= 0, key, "is at least every 5m, was '" + text + "'");
            return new Schedule(d, null);
        }
        m = DAILY_AT.matcher(t);
        if (m.matches() && Integer.parseInt(m.group(1)) < 24 && Integer.parseInt(m.group(2)) < 60) {
            return new Schedule(Duration.ofDays(1), LocalTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
        }
        throw new ConfigException(key + ": is hourly, daily, weekly, 'every N[m|h|d]', 'daily at HH:MM' or off; was '" + text + "'");
    }

    public boolean off() {
        return every == null;
    }

    /** The next run after the last one (never run: now). */
    public Instant next(Instant last, Instant now, ZoneId zone) {
        if (off()) {
            return Instant.MAX;
        }
        if (at != null) {
            ZonedDateTime base = (last == null ? now : last).atZone(zone);
            ZonedDateTime candidate = base.with(at);
            if (!candidate.toInstant().isAfter(last == null ? now.minusSeconds(1) : last)) {
                candidate = candidate.plusDays(1);
            }
            return candidate.toInstant();
        }
        return last == null ? now : last.plus(every);
    }

    /** Late: no success for twice the interval (a day and a half for daily-at). */
    public boolean late(Instant lastSuccess, Instant since, Instant now) {
        if (off()) {
            return false;
        }
        Duration grace = at != null ? Duration.ofHours(36) : every.multipliedBy(2);
        return (lastSuccess == null ? since : lastSuccess).plus(grace).isBefore(now);
    }
}
