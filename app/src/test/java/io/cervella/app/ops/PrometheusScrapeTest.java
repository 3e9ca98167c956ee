package io.cervella.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.cervella.app.testkit.FakeOpenAiServer;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.app.testkit.Yaml;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A real Prometheus (Debian's package) scrapes a real platform over TLS with a metrics key: the
 * target is up with no scrape error (the exposition parses), and every query of the Grafana
 * dashboard in docs/grafana is valid PromQL over series that exist — with every layer busy first
 * (a model request, a hosted app, a backup, a probe, an alert sent), so that each metric is there.
 */
class PrometheusScrapeTest {
    static final Path PROMETHEUS = Path.of(System.getenv().getOrDefault("CERVELLA_PROMETHEUS", "/usr/bin/prometheus"));
    static final Path DASHBOARD = Path.of("..", "docs", "grafana", "cervella-dashboard.json");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @Test
    void prometheusScrapesEveryLayerAndTheGrafanaDashboardsQueriesAllFindTheirSeries() throws Exception {
        assertThat(PROMETHEUS).as("Prometheus (apt-get install prometheus; .ci/run installs it)").isExecutable();
        HttpServer app = OpsTestKit.loopbackApp(0); // the team's app, and at /hook its webhook receiver
        Path backupKey = OpsTestKit.backupKeyFile(dir);
        Process prometheus = null;
        try (FakeOpenAiServer up = new FakeOpenAiServer("up").start()) {
            int appPort = app.getAddress().getPort();
            String yaml = Yaml.model("cost_per_hour_usd: 36", up.baseUrl()) + """
                    edge:
                      apps: [{name: miracollo, auth: none, upstreams: [{url: "http://127.0.0.1:%d"}]}]
                    backup:
                      unlock: {key_file: %s}
                      targets: [{name: usb-disk, store: {type: local, path: %s}, schedule: off}]
                    ops:
                      budget_usd_per_month: 0.0001
                      alerts: {interval_seconds: 1, webhooks: [{name: team, url: "http://127.0.0.1:%d/hook"}]}
                      probes: {interval_seconds: 1}
                    """.formatted(appPort, backupKey, dir.resolve("repo"), appPort);
            try (RunningPlatform p = RunningPlatform.start(dir.resolve("data"), yaml,
                    Map.of("CERVELLA_VAULT_PASSPHRASE", "a long vault passphrase for the test"))) {
                up.firstTokenDelayMillis = 40; // 40 ms of a 36 USD/h backend: above the tiny budget, so an alert is sent
                String chat = p.createKey("{\"name\":\"agent\",\"scopes\":[\"chat\"]}");
                assertThat(p.post("/v1/chat/completions", chat,
                        "{\"model\":\"baby\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"ciao\"}]}").statusCode()).isEqualTo(200);
                assertThat(p.get("/apps/miracollo/", null).statusCode()).isEqualTo(200);
                assertThat(p.post("/admin/backups/run", p.adminKey(), "{\"target\":\"usb-disk\"}").statusCode()).isEqualTo(202);
                OpsTestKit.waitUntil(() -> RunningPlatform.json(p.get("/admin/alerts", p.adminKey())).path("log").size() > 0, "an alert sent",
                        Duration.ofSeconds(60));
                OpsTestKit.waitUntil(() -> RunningPlatform.json(p.get("/admin/backups", p.adminKey())).toString().contains("\"last_result\":\"ok\""),
                        "the backup", Duration.ofSeconds(60));

                Path keyFile = dir.resolve("metrics.key");
                Files.writeString(keyFile, p.createKey("{\"name\":\"prometheus\",\"scopes\":[\"metrics\"]}"));
                int port = freePort();
                Path config = dir.resolve("prometheus.yml");
                Files.writeString(config, """
                        global: {scrape_interval: 1s, scrape_timeout: 1s}
                        scrape_configs:
                          - job_name: cervella
                            scheme: https
                            tls_config: {ca_file: %s}
                            authorization: {type: Bearer, credentials_file: %s}
                            static_configs: [{targets: ["localhost:%d"]}]
                        """.formatted(p.caFile(), keyFile, p.platform().port()));
                prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                        "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
                HttpClient http = HttpClient.newHttpClient();
                String api = "http://127.0.0.1:" + port + "/api/v1/";

                // two scrapes at least, the target up and the last one without an error
                OpsTestKit.waitUntil(() -> {
                    JsonNode t = get(http, api + "targets").path("data").path("activeTargets").path(0);
                    return t.path("health").asString().equals("up") && get(http, api + "query?query="
                            + enc("count_over_time(up{job=\"cervella\"}[1m])")).path("data").path("result").path(0)
                            .path("value").path(1).asString("0").compareTo("2") >= 0;
                }, "Prometheus scraping the platform (log: " + dir.resolve("prometheus.log") + ")", Duration.ofSeconds(60));
                JsonNode target = get(http, api + "targets").path("data").path("activeTargets").path(0);
                assertThat(target.path("lastError").asString()).isEmpty();
                assertThat(target.path("health").asString()).isEqualTo("up");

                JsonNode dashboard = JSON.readTree(Files.readString(DASHBOARD));
                List<String> exprs = new ArrayList<>();
                dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(t -> exprs.add(t.path("expr").asString())));
                assertThat(exprs).hasSizeGreaterThan(25);
                TreeSet<String> names = new TreeSet<>();
                Pattern metric = Pattern.compile("\\b((?:cervella|jvm|process)_[a-z0-9_]+)\\b");
                for (String expr : exprs) {
                    JsonNode r = get(http, api + "query?query=" + enc(expr));
                    assertThat(r.path("status").asString()).as(expr + " → " + r).isEqualTo("success");
                    Matcher m = metric.matcher(expr);
                    while (m.find()) {
                        names.add(m.group(1));
                    }
                }
                List<String> missing = new ArrayList<>();
                for (String name : names) {
                    if (get(http, api + "series?match[]=" + enc(name)).path("data").isEmpty()) {
                        missing.add(name);
                    }
                }
                assertThat(missing).as("metrics the dashboard uses that the platform does not export").isEmpty();
                assertThat(names).contains("cervella_gateway_ttft_seconds_bucket", "cervella_edge_requests_seconds_count",
                        "cervella_backup_last_success_timestamp_seconds", "cervella_vault_commits", "cervella_memory_documents",
                        "cervella_probe_uptime_ratio", "cervella_alerts_firing", "jvm_memory_used_bytes");
            }
        } finally {
            if (prometheus != null) {
                prometheus.destroy();
                prometheus.waitFor();
            }
            app.stop(0);
        }
    }

    private static JsonNode get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 503) {
            return tools.jackson.databind.node.MissingNode.getInstance(); // Prometheus still starting (its TSDB): asked again
        }
        return JSON.readTree(r.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
