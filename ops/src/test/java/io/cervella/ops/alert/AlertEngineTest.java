package io.cervella.ops.alert;

import static io.cervella.ops.alert.AlertTesting.START;
import static io.cervella.ops.alert.AlertTesting.engine;
import static io.cervella.ops.alert.AlertTesting.json;
import static io.cervella.ops.alert.AlertTesting.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cervella.core.store.MetadataStore;
import io.cervella.ops.config.OpsConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class AlertEngineTest {
    @TempDir
    Path dir;

    private WebhookReceiver receiver;
    private MetadataStore store;
    private TestClock clock;
    private TestFacts facts;

    @BeforeEach
    void setUp() throws Exception {
        receiver = new WebhookReceiver();
        store = MetadataStore.openSqlite(dir.resolve("x.db"));
        clock = new TestClock(START);
        facts = new TestFacts(clock);
    }

    @AfterEach
    void tearDown() {
        store.close();
        receiver.close();
    }

    /** backend_down without its default minute of grace, to the generic webhook at /hook. */
    private OpsConfig config(String extra) {
        return ops("""
                alerts:
                  webhooks: [{name: team, url: "%s"}]
                  rules: [{name: backend_down, for_seconds: 0}]
                %s""".formatted(receiver.url("/hook"), extra));
    }

    @Test
    void anAlertFiresThenResolvesWithOneMessageEach() {
        AlertEngine engine = engine(config(""), store, facts, clock, "node-a");
        assertEquals(List.of(), engine.evaluate(), "all healthy: nothing to say");
        assertEquals(0, receiver.posts().size());

        facts.backend("gpu-1", false, "connection refused");
        clock.advance(Duration.ofSeconds(30));
        engine.evaluate();
        assertEquals(1, receiver.posts().size());
        JsonNode firing = json(receiver.posts().get(0).body());
        assertEquals("firing", firing.get("status").asString());
        assertEquals("backend_down", firing.get("rule").asString());
        assertEquals("gpu-1", firing.get("subject").asString());
        assertEquals("critical", firing.get("severity").asString());
        assertEquals("model backend gpu-1 (serving cervella-baby) is down: connection refused", firing.get("summary").asString());
        assertEquals("2026-03-10T09:00:30Z", firing.get("started_at").asString());
        assertFalse(firing.has("resolved_at"));
        assertEquals("node-a", firing.get("node").asString());
        assertEquals("application/json", receiver.posts().get(0).contentType());

        facts.backend("gpu-1", true, "ok");
        clock.advance(Duration.ofMinutes(5));
        engine.evaluate();
        assertEquals(2, receiver.posts().size());
        JsonNode resolved = json(receiver.posts().get(1).body());
        assertEquals("resolved", resolved.get("status").asString());
        assertEquals("gpu-1", resolved.get("subject").asString());
        assertEquals("2026-03-10T09:00:30Z", resolved.get("started_at").asString(), "when it began firing");
        assertEquals("2026-03-10T09:05:30Z", resolved.get("resolved_at").asString());

        clock.advance(Duration.ofMinutes(1));
        engine.evaluate();
        assertEquals(2, receiver.posts().size(), "resolved once only");
        assertEquals(List.of(), engine.firing());
    }

    @Test
    void evaluatingAgainSendsNothingNew() {
        AlertEngine engine = engine(config(""), store, facts, clock, "node-a");
        facts.backend("gpu-1", false, "timeout");
        assertEquals(1, engine.evaluate().size());
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(30));
            assertEquals(List.of(), engine.evaluate());
        }
        assertEquals(1, receiver.posts().size());
    }

    @Test
    void aRestartedEngineDoesNotAnnounceAgainAndResolvesWhatTheOldOneRaised() {
        facts.backend("gpu-1", false, "timeout");
        engine(config(""), store, facts, clock, "node-a").evaluate();
        assertEquals(1, receiver.posts().size());

        store.close();
        store = MetadataStore.openSqlite(dir.resolve("x.db")); // as after a restart of the process
        AlertEngine restarted = engine(config(""), store, facts, clock, "node-a");
        clock.advance(Duration.ofSeconds(30));
        assertEquals(List.of(), restarted.evaluate());
        assertEquals(1, receiver.posts().size());
        assertEquals(1, restarted.firing().size());

        facts.backend("gpu-1", true, "ok");
        clock.advance(Duration.ofSeconds(30));
        restarted.evaluate();
        assertEquals(2, receiver.posts().size());
        assertEquals("resolved", json(receiver.posts().get(1).body()).get("status").asString());
    }

    @Test
    void aConditionFiresOnlyOnceItHeldForItsForSeconds() {
        // backend_down's default: 60 s
        AlertEngine engine = engine(ops("alerts: {webhooks: [{name: team, url: \"%s\"}]}".formatted(receiver.url("/hook"))),
                store, facts, clock, "node-a");
        facts.backend("gpu-1", false, "timeout");
        assertEquals(List.of(), engine.evaluate(), "t=0: pending");
        clock.advance(Duration.ofSeconds(30));
        assertEquals(List.of(), engine.evaluate(), "t=30: pending");
        facts.backend("gpu-1", true, "ok");
        clock.advance(Duration.ofSeconds(20));
        assertEquals(List.of(), engine.evaluate(), "t=50: cleared before its minute: forgotten");
        facts.backend("gpu-1", false, "timeout");
        clock.advance(Duration.ofSeconds(10));
        assertEquals(List.of(), engine.evaluate(), "t=60: pending again, from now");
        clock.advance(Duration.ofSeconds(59));
        assertEquals(List.of(), engine.evaluate(), "t=119: 59 s");
        clock.advance(Duration.ofSeconds(1));
        List<AlertMessage> sent = engine.evaluate();
        assertEquals(1, sent.size(), "t=120: held 60 s");
        assertEquals(START.plusSeconds(120), sent.get(0).startedAt());
        assertEquals(1, receiver.posts().size());
    }

    @Test
    void aFiringAlertIsRepeatedEveryRepeatMinutes() {
        AlertEngine engine = engine(config("  repeat_minutes: 10"), store, facts, clock, "node-a");
        facts.backend("gpu-1", false, "timeout");
        engine.evaluate();
        clock.advance(Duration.ofMinutes(5));
        engine.evaluate();
        assertEquals(1, receiver.posts().size());
        clock.advance(Duration.ofMinutes(5));
        engine.evaluate();
        assertEquals(2, receiver.posts().size(), "10 min after the first");
        JsonNode repeat = json(receiver.posts().get(1).body());
        assertEquals("firing", repeat.get("status").asString());
        assertEquals(START.toString(), repeat.get("started_at").asString(), "still the time it began");
        clock.advance(Duration.ofMinutes(9));
        engine.evaluate();
        assertEquals(2, receiver.posts().size());
        clock.advance(Duration.ofMinutes(1));
        engine.evaluate();
        assertEquals(3, receiver.posts().size(), "10 min after the repeat");
    }

    @Test
    void withoutRepeatMinutesAFiringAlertIsAnnouncedOnce() {
        AlertEngine engine = engine(config(""), store, facts, clock, "node-a");
        facts.backend("gpu-1", false, "timeout");
        engine.evaluate();
        clock.advance(Duration.ofHours(20)); // short of backup_late's 26 h
        engine.evaluate();
        assertEquals(1, receiver.posts().size());
    }

    @Test
    void anAlertThatClearsAndComesBackFiresAgain() {
        AlertEngine engine = engine(config(""), store, facts, clock, "node-a");
        facts.backend("gpu-1", false, "timeout");
        engine.evaluate();
        facts.backend("gpu-1", true, "ok");
        clock.advance(Duration.ofMinutes(1));
        engine.evaluate();
        facts.backend("gpu-1", false, "timeout again");
        clock.advance(Duration.ofMinutes(1));
        engine.evaluate();
        List<String> states = receiver.posts().stream().map(p -> json(p.body()).get("status").asString()).toList();
        assertEquals(List.of("firing", "resolved", "firing"), states);
        assertEquals(START.plusSeconds(120).toString(), json(receiver.posts().get(2).body()).get("started_at").asString());
    }

    @Test
    void turningARuleOffResolvesWhatItRaised() {
        facts.backend("gpu-1", false, "timeout");
        engine(config(""), store, facts, clock, "node-a").evaluate();
        AlertEngine withRuleOff = engine(ops("""
                alerts:
                  webhooks: [{name: team, url: "%s"}]
                  rules: [{name: backend_down, enabled: false}]""".formatted(receiver.url("/hook"))),
                store, facts, clock, "node-a");
        clock.advance(Duration.ofMinutes(1));
        withRuleOff.evaluate();
        assertEquals(2, receiver.posts().size());
        assertEquals("resolved", json(receiver.posts().get(1).body()).get("status").asString());
    }

    @Test
    void aRuleThatCannotBeEvaluatedLeavesItsAlertsFiring() throws Exception {
        AlertEngine engine = engine(ops("""
                budget_usd_per_month: 10
                alerts: {webhooks: [{name: team, url: "%s"}]}""".formatted(receiver.url("/hook"))),
                store, facts, clock, "node-a");
        LedgerRows.cost(store, START.minusSeconds(60), 9.0);
        assertEquals(1, engine.evaluate().size(), "budget_warning at 90%");
        store.jdbi().useHandle(h -> h.execute("ALTER TABLE usage_events RENAME TO usage_events_away"));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(List.of(), engine.evaluate(), "the ledger does not answer: no resolve");
        assertEquals(1, engine.firing().size());
        store.jdbi().useHandle(h -> h.execute("ALTER TABLE usage_events_away RENAME TO usage_events"));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(List.of(), engine.evaluate());
    }

    @Test
    void firingAlertsAndTheLogCanBeListed() {
        AlertEngine engine = engine(config(""), store, facts, clock, "node-a");
        facts.backend("gpu-1", false, "timeout");
        facts.backend("gpu-2", false, "refused");
        engine.evaluate();
        List<FiringAlert> firing = engine.firing();
        assertEquals(List.of("gpu-1", "gpu-2"), firing.stream().map(FiringAlert::subject).sorted().toList());
        assertTrue(firing.stream().allMatch(f -> f.severity() == Severity.CRITICAL && f.since().equals(START)));

        facts.backend("gpu-1", true, "ok");
        clock.advance(Duration.ofMinutes(1));
        engine.evaluate();
        List<AlertLogEntry> log = engine.recentLog(10);
        assertEquals(3, log.size());
        AlertLogEntry newest = log.get(0);
        assertEquals(AlertStatus.RESOLVED, newest.status());
        assertEquals("gpu-1", newest.subject());
        assertEquals("team", newest.webhook());
        assertTrue(newest.delivered());
        assertEquals("HTTP 200 (try 1 of 3)", newest.response());
        assertEquals(START.plusSeconds(60), newest.at());
        assertEquals(1, engine.recentLog(1).size());
        assertEquals(List.of("gpu-2"), engine.firing().stream().map(FiringAlert::subject).toList());
    }

    @Test
    void metricsCountFiringAlertsAndDeliveries() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AlertEngine engine = engine(config(""), store, facts, clock, "node-a", registry);
        assertEquals(0, registry.get("cervella.alerts.firing").tag("rule", "backend_down").gauge().value());
        facts.backend("gpu-1", false, "timeout");
        facts.backend("gpu-2", false, "timeout");
        engine.evaluate();
        assertEquals(2, registry.get("cervella.alerts.firing").tag("rule", "backend_down").gauge().value());
        assertEquals(0, registry.get("cervella.alerts.firing").tag("rule", "disk_full").gauge().value());
        assertEquals(2, registry.get("cervella.alerts.deliveries").tags("webhook", "team", "result", "delivered").counter().count());
        facts.backend("gpu-1", true, "ok");
        facts.backend("gpu-2", true, "ok");
        clock.advance(Duration.ofMinutes(1));
        engine.evaluate();
        assertEquals(0, registry.get("cervella.alerts.firing").tag("rule", "backend_down").gauge().value());
        assertEquals(4, registry.get("cervella.alerts.deliveries").tags("webhook", "team", "result", "delivered").counter().count());
    }

    @Test
    void theScheduleEvaluatesUntilStopped() throws Exception {
        facts.backend("gpu-1", false, "timeout");
        try (AlertEngine engine = engine(config("  interval_seconds: 1"), store, facts, clock, "node-a")) {
            engine.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (receiver.posts().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, receiver.posts().size(), "the first round runs at start");
            engine.stop();
        }
    }
}
