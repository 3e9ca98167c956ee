package io.cervella.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.Cookie;
import com.sun.net.httpserver.HttpServer;
import io.cervella.app.testkit.FakeOpenAiServer;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.app.testkit.Yaml;
import io.cervella.vault.client.DeviceSync;
import io.cervella.vault.client.SyncProgress;
import io.cervella.vault.client.VaultClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard in Debian's Chromium, driven by Playwright: sign in with a key, see every panel
 * filled with data this test produced through the real platform (a chat completion through the
 * gateway, a backup, a device's sync, a hosted app), sign out. The screenshots are kept under
 * app/target/dashboard/ as the test's artefacts.
 */
class DashboardBrowserTest {
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CERVELLA_CHROMIUM", "/usr/bin/chromium"));

    @TempDir Path dir;

    @Test
    void signInSeeEveryPanelWithRealDataSignOut() throws Exception {
        assertThat(CHROMIUM).as("Chromium (apt-get install chromium; .ci/run installs it)").isExecutable();
        HttpServer app = OpsTestKit.loopbackApp(0); // the team's app, and at /hook its webhook receiver
        Path backupKey = OpsTestKit.backupKeyFile(dir);
        Path screenshots = Files.createDirectories(Path.of("target", "dashboard"));

        try (FakeOpenAiServer up = new FakeOpenAiServer("up").start()) {
            String yaml = Yaml.model("cost_per_hour_usd: 36", up.baseUrl()) + """
                    edge:
                      apps:
                        - name: miracollo
                          auth: none
                          health_check: {path: /health, interval_seconds: 0.2}
                          upstreams: [{url: "http://127.0.0.1:%d"}]
                    backup:
                      unlock: {key_file: %s}
                      targets:
                        - name: usb-disk
                          store: {type: local, path: %s}
                          schedule: off
                    ops:
                      budget_usd_per_month: 0.0001
                      alerts:
                        interval_seconds: 1
                        webhooks: [{name: team, url: "http://127.0.0.1:%d/hook"}]
                      probes: {interval_seconds: 1}
                    planner:
                      workload: %s
                      served_model: baby
                      catalog_dir: %s
                    """.formatted(app.getAddress().getPort(), backupKey, dir.resolve("repo"), app.getAddress().getPort(),
                    Path.of("..", "examples", "cervella-swarm.yaml").toAbsolutePath(), Path.of("..", "catalog").toAbsolutePath());
            try (RunningPlatform p = RunningPlatform.start(dir.resolve("data"), yaml,
                    Map.of("CERVELLA_VAULT_PASSPHRASE", "a long vault passphrase for the test"))) {
                // the data the panels must show, made through the platform as a user would
                String chatKey = p.createKey("{\"name\":\"agent-ricerca\",\"scopes\":[\"chat\"]}");
                up.firstTokenDelayMillis = 40; // a first token comes, and takes measurable time
                assertThat(p.post("/v1/chat/completions", chatKey,
                        "{\"model\":\"baby\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"ciao\"}]}").statusCode()).isEqualTo(200);
                assertThat(p.post("/admin/backups/run", p.adminKey(), "{\"target\":\"usb-disk\"}").statusCode()).isEqualTo(202);
                String deviceKey = p.createKey("{\"name\":\"laptop-rafa\",\"scopes\":[\"vault\"]}");
                Path folder = Files.createDirectories(dir.resolve("laptop"));
                Files.writeString(folder.resolve("decisioni.md"), "# Decisioni\n");
                new DeviceSync(folder, new VaultClient(p.baseUrl(), deviceKey, p.sslContext()), SyncProgress.NONE, false).run();
                waitForBackup(p);
                OpsTestKit.waitUntil(() -> RunningPlatform.json(p.get("/admin/alerts", p.adminKey())).path("firing").size() > 0,
                        "an alert firing", Duration.ofSeconds(30));
                OpsTestKit.waitUntil(() -> RunningPlatform.json(p.get("/admin/probes", p.adminKey())).toString().contains("\"up\":true"),
                        "a probe run", Duration.ofSeconds(30));
                String metricsKey = p.createKey("{\"name\":\"dashboard\",\"scopes\":[\"metrics\"]}");

                try (Playwright pw = Playwright.create(new Playwright.CreateOptions()
                        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
                     Browser browser = pw.chromium().launch(new BrowserType.LaunchOptions()
                             .setExecutablePath(CHROMIUM).setHeadless(true).setArgs(List.of("--no-sandbox")))) {
                    // the local CA is not in Chromium's store; TLS itself is tested elsewhere (ListenerTlsTest)
                    BrowserContext context = browser.newContext(new Browser.NewContextOptions()
                            .setIgnoreHTTPSErrors(true).setViewportSize(1280, 1800));
                    Page page = context.newPage();
                    page.navigate(p.baseUrl() + "/ui/");
                    page.locator("#sign-in").waitFor();

                    page.fill("#key", chatKey); // a key without the metrics scope is turned away
                    page.click("#sign-in button[type=submit]");
                    assertThat(waitText(page.locator("#sign-in-error"))).contains("metrics or admin scope");

                    page.fill("#key", metricsKey);
                    page.click("#sign-in button[type=submit]");
                    page.locator("#dashboard").waitFor();
                    assertThat(page.url()).doesNotContain(metricsKey);
                    Cookie session = context.cookies().stream().filter(c -> c.name.equals("cervella_session")).findFirst().orElseThrow();
                    assertThat(session.httpOnly).isTrue();
                    assertThat(session.secure).isTrue();
                    assertThat(session.value).doesNotContain(metricsKey);

                    assertThat(page.textContent("#signed-in-as")).contains("dashboard");
                    assertThat(page.textContent("#layers")).contains("edge", "gateway", "memory", "vault", "backups");
                    assertThat(page.textContent("#backends")).contains("up").contains("baby");
                    // the chat completion made above: in the traffic total, the latency chart and the month's cost
                    assertThat(page.textContent("#traffic-total")).startsWith("1 requests");
                    assertThat(page.locator("#chart-latency canvas").count()).isEqualTo(1);
                    assertThat(page.locator("#chart-traffic canvas").count()).isEqualTo(1);
                    assertThat(page.textContent("#slo-label")).contains("objective 2 s");
                    String latency = page.textContent("#latency-summary");
                    assertThat(latency).contains("from 1 requests").contains("objective met");
                    java.util.regex.Matcher ms = java.util.regex.Pattern.compile("range: (\\d+) ms").matcher(latency);
                    assertThat(ms.find()).as(latency).isTrue();
                    assertThat(Integer.parseInt(ms.group(1))).as("the first token was held back 40 ms").isBetween(40, 2000);
                    assertThat(page.textContent("#cost-budget")).contains("$0.00010");
                    // the one request spent more than this budget: the budget rule fired, and it shows
                    assertThat(page.textContent("#alerts-firing")).contains("budget");
                    assertThat(page.textContent("#alerts-recent")).contains("budget_exhausted").contains("firing");
                    assertThat(page.textContent("#probes")).contains("app:miracollo").contains("up").contains("100.00%");
                    assertThat(page.textContent("#cost-model")).contains("baby");
                    assertThat(page.textContent("#cost-key")).contains("agent-ricerca");
                    assertThat(page.textContent("#backups")).contains("usb-disk").contains("ok");
                    assertThat(page.textContent("#devices")).contains("laptop-rafa");
                    assertThat(page.textContent("#apps")).contains("miracollo").contains("closed");
                    assertThat(page.textContent("#certificates")).contains("platform");
                    // the planner's recommendation, made from the team's profile with the traffic the ledger measured
                    assertThat(page.textContent("#hosting-choice")).containsPattern("(Recommended|Best compromise): .+ \\$[0-9.]+ a month");
                    assertThat(page.textContent("#hosting-reasons")).contains("availability").contains("TTFT p95");
                    assertThat(page.textContent("#hosting-meta")).contains("measured over 1 day").contains("of baby")
                            .contains("price catalog is stale");
                    page.screenshot(new Page.ScreenshotOptions().setPath(screenshots.resolve("desktop.png")).setFullPage(true));

                    // readable on a phone: nothing wider than the screen
                    page.setViewportSize(390, 844);
                    page.reload();
                    page.locator("#dashboard").waitFor();
                    Object overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth");
                    assertThat(((Number) overflow).intValue()).isLessThanOrEqualTo(0);
                    page.screenshot(new Page.ScreenshotOptions().setPath(screenshots.resolve("phone.png")).setFullPage(true));

                    page.click("#sign-out");
                    page.locator("#sign-in").waitFor();
                    assertThat(page.textContent("#sign-in-error")).contains("Signed out");
                    // the old cookie opens nothing any more
                    var stale = p.http().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(p.baseUrl() + "/ui/api/overview"))
                            .header("Cookie", "cervella_session=" + session.value).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertThat(stale.statusCode()).isEqualTo(401);
                }
                assertThat(Files.size(screenshots.resolve("desktop.png"))).isGreaterThan(10_000);
            }
        } finally {
            app.stop(0);
        }
    }

    private static String waitText(Locator locator) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (locator.textContent().isBlank() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return locator.textContent();
    }

    private static void waitForBackup(RunningPlatform p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode t : RunningPlatform.json(p.get("/admin/backups", p.adminKey())).path("targets")) {
                if (!t.path("running").asBoolean() && !t.path("last_result").asString().equals("never")) {
                    assertThat(t.path("last_result").asString()).as(t.toString()).isEqualTo("ok");
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the backup did not finish");
    }
}
