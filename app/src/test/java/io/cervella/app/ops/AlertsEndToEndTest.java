package io.cervella.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.cervella.app.testkit.RunningPlatform;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The whole path of an alert through a running platform: a hosted app's only upstream dies, the
 * edge's health checks see it, the alert engine's upstream_down rule fires, a real webhook receiver
 * on loopback gets one Slack-format message; the upstream comes back and the receiver gets the
 * resolve message. GET /admin/alerts shows both in the log.
 */
class AlertsEndToEndTest {
    @TempDir Path dir;

    @Test
    void anUpstreamThatDiesFiresOneAlertAndItsReturnResolvesIt() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        receiver.createContext("/hooks/T000/B000/secret-token", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        HttpServer app = OpsTestKit.loopbackApp(0);
        int appPort = app.getAddress().getPort();
        String yaml = """
                edge:
                  apps:
                    - name: miracollo
                      auth: none
                      health_check: {path: /health, interval_seconds: 0.2, unhealthy_threshold: 1, healthy_threshold: 1}
                      upstreams: [{url: "http://127.0.0.1:%d"}]
                ops:
                  alerts:
                    interval_seconds: 1
                    webhooks: [{name: team-slack, format: slack, url_env: TEAM_SLACK_WEBHOOK}]
                    # the build machine's own disk must not send a message of its own
                    rules: [{name: upstream_down, for_seconds: 0}, {name: disk_full, enabled: false}]
                """.formatted(appPort);
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/T000/B000/secret-token";
        try (RunningPlatform p = RunningPlatform.start(dir, yaml, java.util.Map.of("TEAM_SLACK_WEBHOOK", hook))) {
            Thread.sleep(1500); // a round or two with everything up: nothing is sent
            assertThat(received).isEmpty();

            app.stop(0);
            String firing = await(received, 1, Duration.ofSeconds(20));
            assertThat(firing).contains("\"text\"").contains("miracollo").containsIgnoringCase("firing");

            app = OpsTestKit.loopbackApp(appPort);
            String resolved = await(received, 2, Duration.ofSeconds(20));
            assertThat(resolved).contains("miracollo").containsIgnoringCase("resolved");
            Thread.sleep(1500);
            assertThat(received).as("one message per change").hasSize(2);

            JsonNode alerts = RunningPlatform.json(p.get("/admin/alerts", p.adminKey()));
            assertThat(alerts.path("firing").size()).isZero();
            assertThat(alerts.path("log").size()).isEqualTo(2);
            assertThat(alerts.path("log").get(0).path("state").asString()).isEqualTo("resolved");
            assertThat(alerts.path("log").get(1).path("state").asString()).isEqualTo("firing");
            assertThat(alerts.path("log").get(1).path("delivered").asBoolean()).isTrue();
            assertThat(alerts.toString()).doesNotContain("secret-token");
        } finally {
            app.stop(0);
            receiver.stop(0);
        }
    }

    private static String await(List<String> received, int count, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (received.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(received).as("messages received").hasSizeGreaterThanOrEqualTo(count);
        return received.get(count - 1);
    }
}
