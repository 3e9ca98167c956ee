package io.cervella.ops.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cervella.core.store.MetadataStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardSessionsTest {
    @TempDir Path dir;

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        Instant now = Instant.parse("2026-11-27T10:00:00Z");

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    @Test
    void aSessionOpensForItsKeyUntilItExpiresOrIsClosedAndOnlyItsHashIsStored() {
        MovingClock clock = new MovingClock();
        try (MetadataStore store = MetadataStore.openSqlite(dir.resolve("m.db"))) {
            DashboardSessions sessions = new DashboardSessions(store, clock, Duration.ofHours(12));
            String a = sessions.open("key-a");
            String b = sessions.open("key-b");
            assertNotEquals(a, b);
            assertTrue(a.length() >= 43, "32 random bytes");
            assertEquals(Optional.of("key-a"), sessions.keyOf(a));
            assertEquals(Optional.of("key-b"), sessions.keyOf(b));
            assertEquals(Optional.empty(), sessions.keyOf(a + "x"));
            assertEquals(Optional.empty(), sessions.keyOf(""));

            List<String> stored = store.jdbi().withHandle(h -> h.createQuery("SELECT token_hash FROM ops_sessions").mapTo(String.class).list());
            assertFalse(stored.contains(a) || stored.contains(b), "the tokens themselves are not in the database");
            assertTrue(stored.contains(DashboardSessions.hash(a)));

            sessions.close(b);
            assertEquals(Optional.empty(), sessions.keyOf(b));

            clock.now = clock.now.plus(Duration.ofHours(12)).plusSeconds(1);
            assertEquals(Optional.empty(), sessions.keyOf(a), "expired");
            sessions.open("key-c"); // clears expired rows
            int left = store.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM ops_sessions").mapTo(Integer.class).one());
            assertEquals(1, left);
        }
    }
}
