package io.cervella.ops.alert;

import static io.cervella.ops.alert.AlertTesting.START;
import static io.cervella.ops.alert.AlertTesting.engine;
import static io.cervella.ops.alert.AlertTesting.json;
import static io.cervella.ops.alert.AlertTesting.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cervella.core.store.MetadataStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The four webhook formats, retries, and what the alert log keeps (never a webhook's URL). */
class WebhookDeliveryTest {
    private static final String TOKEN = "123456789:AAHsecretTOKENvalue";

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

    private AlertEngine engineWith(String webhooks) {
        return engine(ops("""
                alerts:
                  webhooks: %s
                  rules: [{name: backend_down, for_seconds: 0}]""".formatted(webhooks)), store, facts, clock, "node-a");
    }

    @Test
    void eachFormatGetsTheBodyItsServiceExpects() {
        AlertEngine engine = engineWith("""
                [{name: plain, url: "%s"},
                 {name: slack, url: "%s", format: slack},
                 {name: discord, url: "%s", format: discord},
                 {name: telegram, url: "%s", format: telegram, chat_id: "-1001234"}]""".formatted(
                receiver.url("/generic"), receiver.url("/services/T0/B0/slacksecret"), receiver.url("/api/webhooks/1/discordsecret"),
                receiver.url("/bot" + TOKEN + "/sendMessage")));
        facts.backend("gpu-1", false, "connection refused");
        engine.evaluate();
        facts.backend("gpu-1", true, "ok");
        clock.advance(Duration.ofMinutes(3));
        engine.evaluate();

        List<WebhookReceiver.Post> generic = receiver.posts("/generic");
        assertEquals(2, generic.size());
        JsonNode g = json(generic.get(1).body());
        assertEquals(List.of("node", "resolved_at", "rule", "severity", "started_at", "status", "subject", "summary"),
                fields(g));
        assertEquals("resolved", g.get("status").asString());

        List<WebhookReceiver.Post> slack = receiver.posts("/services/T0/B0/slacksecret");
        assertEquals(2, slack.size());
        JsonNode s = json(slack.get(0).body());
        assertEquals(List.of("text"), fields(s));
        assertEquals("[FIRING, critical] backend_down gpu-1: model backend gpu-1 (serving cervella-baby) is down:"
                + " connection refused (since 2026-03-10T09:00:00Z, node node-a)", s.get("text").asString());
        assertTrue(json(slack.get(1).body()).get("text").asString().startsWith("[RESOLVED] backend_down gpu-1: "));

        List<WebhookReceiver.Post> discord = receiver.posts("/api/webhooks/1/discordsecret");
        assertEquals(2, discord.size());
        JsonNode d = json(discord.get(0).body());
        assertEquals(List.of("content"), fields(d));
        assertTrue(d.get("content").asString().startsWith("[FIRING, critical] backend_down gpu-1"));

        List<WebhookReceiver.Post> telegram = receiver.posts("/bot" + TOKEN + "/sendMessage");
        assertEquals(2, telegram.size());
        JsonNode t = json(telegram.get(1).body());
        assertEquals(List.of("chat_id", "text"), fields(t));
        assertEquals("-1001234", t.get("chat_id").asString());
        assertTrue(t.get("text").asString().contains("resolved at 2026-03-10T09:03:00Z"));
        receiver.posts().forEach(p -> assertEquals("application/json", p.contentType()));
    }

    @Test
    void discordMessagesAreCutToItsLimit() {
        AlertEngine engine = engineWith("[{name: discord, url: \"%s\", format: discord}]".formatted(receiver.url("/d")));
        facts.backend("gpu-1", false, "x".repeat(5000));
        engine.evaluate();
        String content = json(receiver.posts("/d").get(0).body()).get("content").asString();
        assertEquals(WebhookBodies.DISCORD_MAX_CHARS, content.length());
        assertTrue(content.endsWith("…"));
    }

    @Test
    void aReceiverAnswering500IsTriedThreeTimesAndLoggedAsNotDelivered() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AlertEngine engine = engine(ops("""
                alerts:
                  webhooks: [{name: team, url: "%s"}]
                  rules: [{name: backend_down, for_seconds: 0}]""".formatted(receiver.url("/hook"))),
                store, facts, clock, "node-a", registry);
        receiver.answer(500);
        facts.backend("gpu-1", false, "timeout");
        engine.evaluate();
        assertEquals(3, receiver.posts().size());
        List<AlertLogEntry> log = engine.recentLog(10);
        assertEquals(3, log.size());
        assertTrue(log.stream().noneMatch(AlertLogEntry::delivered));
        assertEquals(List.of("HTTP 500 (try 1 of 3): no thanks for <path>", "HTTP 500 (try 2 of 3): no thanks for <path>",
                "HTTP 500 (try 3 of 3): no thanks for <path>"), log.stream().map(AlertLogEntry::response).sorted().toList());
        assertEquals(1, registry.get("cervella.alerts.deliveries").tags("webhook", "team", "result", "failed").counter().count());
        assertEquals(1, engine.firing().size(), "the alert fired, even if nobody heard");
        clock.advance(Duration.ofMinutes(1));
        engine.evaluate();
        assertEquals(3, receiver.posts().size(), "not sent again on the next round");
    }

    @Test
    void aReceiverThatRecoversGetsTheMessageOnALaterTry() {
        receiver.failNext(2, 503);
        AlertEngine engine = engineWith("[{name: team, url: \"%s\"}]".formatted(receiver.url("/hook")));
        facts.backend("gpu-1", false, "timeout");
        engine.evaluate();
        assertEquals(3, receiver.posts().size());
        List<String> log = engine.recentLog(10).stream().map(e -> e.delivered() + " " + e.response()).sorted().toList();
        assertEquals(List.of("false HTTP 503 (try 1 of 3): no thanks for <path>", "false HTTP 503 (try 2 of 3): no thanks for <path>",
                "true HTTP 200 (try 3 of 3)"), log);
    }

    @Test
    void anotherClientErrorIsNotTriedAgain() {
        receiver.answer(404);
        AlertEngine engine = engineWith("[{name: team, url: \"%s\"}]".formatted(receiver.url("/hook")));
        facts.backend("gpu-1", false, "timeout");
        engine.evaluate();
        assertEquals(1, receiver.posts().size());
        assertEquals("HTTP 404 (try 1 of 3): no thanks for <path>", engine.recentLog(10).get(0).response());
    }

    @Test
    void theWebhookUrlAndItsTokenNeverReachTheAlertLog() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        receiver.answer(500); // its answer echoes the path, token and all
        AlertEngine engine = engineWith("""
                [{name: telegram, url: "%s", format: telegram, chat_id: "42"},
                 {name: nobody-home, url: "http://127.0.0.1:%d/bot%s/sendMessage?key=%s", format: telegram, chat_id: "42"},
                 {name: fine, url: "%s", format: slack}]""".formatted(receiver.url("/bot" + TOKEN + "/sendMessage"),
                closedPort, TOKEN, TOKEN, receiver.url("/hooks/" + TOKEN)));
        facts.backend("gpu-1", false, "timeout");
        engine.evaluate();
        List<String> rows = new ArrayList<>();
        store.jdbi().useHandle(h -> h.createQuery("SELECT * FROM ops_alert_log").mapToMap().forEach(r -> rows.add(r.toString())));
        assertEquals(9, rows.size(), "3 tries to each webhook: " + rows);
        for (String row : rows) {
            assertFalse(row.contains("AAHsecretTOKENvalue"), row);
            assertFalse(row.contains("127.0.0.1"), row);
        }
        assertTrue(engine.recentLog(20).stream().filter(e -> e.webhook().equals("nobody-home"))
                .allMatch(e -> e.response().startsWith("ConnectException")), rows.toString());
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>(node.propertyNames());
        names.sort(null);
        return names;
    }
}
