package io.cervella.app.admin;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Reads "24h", "7d", "30m", "2026-11-01" or "2026-11-01T10:00:00Z" as a point in time. */
public final class Since {
    private Since() {}

    public static Instant parse(String text, Instant now) {
        String t = text.trim();
        if (t.matches("\\d{1,9}[smhd]")) {
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            Duration d = switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return now.minus(d);
        }
        try {
            if (t.length() == 10) {
                return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            return Instant.parse(t);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time: use 24h, 7d, 30m, 2026-11-01 or an ISO instant");
        }
    }
}
