package io.cervella.ops.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cervella.core.store.MetadataStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir Path dir;
    private MetadataStore store;
    private MutableClock clock;
    private AuditLog log;

    @BeforeEach
    void open() {
        store = MetadataStore.openSqlite(dir.resolve("x.db"));
        clock = new MutableClock(T0);
        log = new AuditLog(store, clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void theHashIsTheOneTheFormatDocumentSpells() {
        // docs/formats/data-directory.md, "The audit log": computed there from the byte layout alone
        assertEquals("8a81bd7e053d01ee67a775052b6ba27412bd15af931a6727c22f4488752e7928",
                AuditHash.of(AuditHash.FIRST_PREV, 1, 1767225600000L, "local", "config.reload", "", "{}"));
        AuditEntry first = log.append(AuditActions.ACTOR_LOCAL, AuditActions.CONFIG_RELOAD, "", Map.of());
        assertEquals("8a81bd7e053d01ee67a775052b6ba27412bd15af931a6727c22f4488752e7928", first.hash());
    }

    @Test
    void appendsChainAndListNewestFirstWithFilters() {
        AuditEntry a = log.append("k1", AuditActions.KEY_CREATE, "key:abc", Map.of("name", "laptop", "scopes", List.of("chat")));
        clock.advance(Duration.ofMinutes(1));
        AuditEntry b = log.append("k1", AuditActions.KEY_REVOKE, "key:abc", Map.of());
        clock.advance(Duration.ofMinutes(1));
        AuditEntry c = log.append(AuditActions.ACTOR_SIGNAL, AuditActions.CONFIG_RELOAD, null, (Map<String, ?>) null);

        assertEquals(List.of(1L, 2L, 3L), List.of(a.seq(), b.seq(), c.seq()));
        assertEquals("0".repeat(64), a.prevHash());
        assertEquals(a.hash(), b.prevHash());
        assertEquals(b.hash(), c.prevHash());
        assertEquals("laptop", a.detail().get("name").asString());

        List<AuditEntry> all = log.list(AuditQuery.latest(10));
        assertEquals(List.of(3L, 2L, 1L), all.stream().map(AuditEntry::seq).toList());
        assertEquals(a, all.get(2), "what is listed is what append returned");
        assertEquals(List.of(2L, 1L), seqs(new AuditQuery(null, "key.", null, 10)), "a prefix ending in a dot");
        assertEquals(List.of(2L), seqs(new AuditQuery(null, "key.revoke", null, 10)));
        assertEquals(List.of(), seqs(new AuditQuery(null, "key", null, 10)), "no dot: the exact action only");
        assertEquals(List.of(3L, 2L), seqs(new AuditQuery(T0.plusSeconds(60), null, null, 10)));
        assertEquals(List.of(2L), seqs(new AuditQuery(null, null, 3L, 1)), "the next page after seq 3, one row");
        assertEquals(3L, log.head().orElseThrow().seq());
        assertTrue(log.verify().ok());
        assertEquals(3, log.verify().rowsChecked());
    }

    @Test
    void refusesBadInputAndAnythingThatLooksLikeAKey() {
        String key = "ck_" + "A".repeat(12) + "b".repeat(43);
        assertThrows(IllegalArgumentException.class, () -> log.append("k1", AuditActions.KEY_CREATE, "", Map.of("key", key)));
        assertThrows(IllegalArgumentException.class, () -> log.append("k1", AuditActions.KEY_CREATE, key, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> log.append("k1", "Key Create", "", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> log.append(null, AuditActions.KEY_CREATE, "", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> log.append("k1", AuditActions.KEY_CREATE, "x".repeat(401), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new AuditQuery(null, null, null, 0));
        assertTrue(log.head().isEmpty(), "nothing was written");
        assertTrue(log.verify().ok(), "an empty log verifies");
    }

    @Test
    void verifyFindsAChangedDetail() {
        appendFive();
        sql("UPDATE ops_audit SET detail = '{\"n\":99}' WHERE seq = 3");
        AuditVerification v = log.verify();
        assertFalse(v.ok());
        assertEquals(3L, v.firstBadSeq());
        assertEquals(2, v.rowsChecked());
        assertTrue(v.problem().contains("hash"), v.problem());
    }

    @Test
    void verifyFindsADeletedMiddleRow() {
        appendFive();
        sql("DELETE FROM ops_audit WHERE seq = 2");
        AuditVerification v = log.verify();
        assertFalse(v.ok());
        assertEquals(2L, v.firstBadSeq());
        assertTrue(v.problem().contains("missing"), v.problem());
    }

    @Test
    void verifyFindsARehashedRowByTheNextRowsLink() {
        appendFive();
        AuditEntry third = log.list(new AuditQuery(null, null, 4L, 1)).getFirst();
        String forged = "{\"n\":99}";
        String hash = AuditHash.of(third.prevHash(), 3, third.ts().toEpochMilli(), third.actor(), third.action(),
                third.target(), forged);
        sql("UPDATE ops_audit SET detail = '" + forged + "', hash = '" + hash + "' WHERE seq = 3");
        AuditVerification v = log.verify();
        assertFalse(v.ok());
        assertEquals(4L, v.firstBadSeq(), "row 3 hashes right; row 4 no longer links to it");
        assertTrue(v.problem().contains("prev_hash"), v.problem());
    }

    @Test
    void anEditedDetailThatIsNoLongerJsonIsStillListed() {
        appendFive();
        sql("UPDATE ops_audit SET detail = 'not json' WHERE seq = 5");
        assertEquals("not json", log.list(AuditQuery.latest(1)).getFirst().detail().get("unparsed").asString());
        assertEquals(5L, log.verify().firstBadSeq());
    }

    private void appendFive() {
        for (int i = 1; i <= 5; i++) {
            log.append("k" + i, AuditActions.KEY_CREATE, "key:" + i, Map.of("n", i));
            clock.advance(Duration.ofSeconds(1));
        }
        assertTrue(log.verify().ok());
    }

    private List<Long> seqs(AuditQuery q) {
        return log.list(q).stream().map(AuditEntry::seq).toList();
    }

    private void sql(String statement) {
        store.jdbi().useHandle(h -> h.execute(statement));
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override public Instant instant() { return now; }
        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    }
}
