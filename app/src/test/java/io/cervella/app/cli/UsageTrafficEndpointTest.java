package io.cervella.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cervella.app.admin.UsageTrafficJson;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.core.usage.UsageTraffic;
import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.synth.ModelSynth;
import io.cervella.planner.workload.CpuService;
import io.cervella.planner.workload.MeasuredWorkload;
import io.cervella.planner.workload.ModelSpec;
import io.cervella.planner.workload.Workload;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code --from-usage} end to end: the real gateway serves a synthesised model, its ledger is measured
 * through {@code GET /admin/usage/traffic} and from the stopped server's data directory, and the
 * planner turns the measurement into a workload profile.
 */
class UsageTrafficEndpointTest {
    @TempDir Path dir;

    private record Served(long promptTokens, long completionTokens) {}

    private static Served chat(RunningPlatform p, String key, String content) throws Exception {
        HttpResponse<String> r = p.post("/v1/chat/completions", key, "{\"model\":\"baby\",\"max_tokens\":8,"
                + "\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode usage = RunningPlatform.json(r).path("usage");
        return new Served(usage.path("prompt_tokens").asLong(), usage.path("completion_tokens").asLong());
    }

    /** A ledger row as the database holds it, read here without the ledger's code. */
    private record Row(long startMs, long endMs, Double ttftMs) {}

    private static List<Row> rows(Path data) throws Exception {
        List<Row> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("cervella.db"));
             ResultSet rs = c.createStatement().executeQuery("SELECT ts, latency_ms, ttft_ms FROM usage_events")) {
            while (rs.next()) {
                long end = rs.getLong("ts");
                double ttft = rs.getDouble("ttft_ms");
                out.add(new Row(end - (long) rs.getDouble("latency_ms"), end, rs.wasNull() ? null : ttft));
            }
        }
        return out;
    }

    /** The most rows in flight at any row's start, [start, end) at least 1 ms: counted pair by pair. */
    private static int peakByHand(List<Row> rows) {
        int peak = 0;
        for (Row at : rows) {
            int open = 0;
            for (Row r : rows) {
                if (r.startMs() <= at.startMs() && at.startMs() < Math.max(r.endMs(), r.startMs() + 1)) {
                    open++;
                }
            }
            peak = Math.max(peak, open);
        }
        return peak;
    }

    @Test
    void theGatewaysLedgerIsMeasuredAndBecomesAWorkload() throws Exception {
        Path model = dir.resolve("baby.gguf");
        ModelSynth.write(new ModelSynth.Spec(ModelSynth.Arch.QWEN3, ModelSynth.Size.TINY, GgmlType.Q8_0, 4), model);
        String yaml = "models:\n  - name: baby\n    backends:\n      - type: embedded\n        path: " + model + "\n";
        Path data = dir.resolve("data");
        List<Served> served = new ArrayList<>();
        int startHour;
        int endHour;
        UsageTraffic measured;
        try (RunningPlatform p = RunningPlatform.start(data, yaml)) {
            String key = p.createKey("{\"name\":\"agent\",\"scopes\":[\"chat\"]}");
            Instant deadline = Instant.now().plusSeconds(60);
            while (!RunningPlatform.json(p.get("/readyz", null)).path("degraded").isEmpty()) {
                assertThat(Instant.now()).as("worker ready within 60 s").isBefore(deadline);
                Thread.sleep(100);
            }
            startHour = Instant.now().atZone(ZoneOffset.UTC).getHour();
            // three one after the other, then five released at once
            for (int i = 0; i < 3; i++) {
                served.add(chat(p, key, "Ciao " + "amico ".repeat(i)));
            }
            CountDownLatch go = new CountDownLatch(1);
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Served>> together = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    String content = "Buongiorno " + i;
                    together.add(pool.submit(() -> {
                        go.await();
                        return chat(p, key, content);
                    }));
                }
                go.countDown();
                for (Future<Served> f : together) {
                    served.add(f.get());
                }
            }
            endHour = Instant.now().atZone(ZoneOffset.UTC).getHour();

            HttpResponse<String> r = p.get("/admin/usage/traffic?days=1", p.adminKey());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = RunningPlatform.json(r);
            assertThat(body.path("hourly").isArray()).isTrue();
            assertThat(body.path("hourly").size()).isEqualTo(24);
            measured = UsageTrafficJson.fromJson(body);

            // what the ledger holds, read and counted here by hand
            List<Row> rows = rows(data);
            assertThat(rows).hasSize(8);
            int peak = peakByHand(rows);
            assertThat(peak).as("the five sent at once overlapped at the gateway").isGreaterThanOrEqualTo(2);
            double[] ttfts = rows.stream().filter(x -> x.ttftMs() != null).mapToDouble(Row::ttftMs).sorted().toArray();

            assertThat(measured.model()).isEqualTo("baby"); // picked: the only model with completion tokens
            assertThat(measured.days()).isEqualTo(1.0);
            assertThat(measured.to().toEpochMilli() - measured.from().toEpochMilli()).isEqualTo(86_400_000L);
            assertThat(measured.requests()).isEqualTo(8);
            assertThat(measured.errors()).isZero();
            assertThat(measured.hourlyTotal()).isEqualTo(8);
            for (int h = 0; h < 24; h++) {
                if (h != startHour && h != endHour) {
                    assertThat(measured.hourly().get(h)).as("hour " + h).isZero();
                }
            }
            assertThat(measured.promptTokensMean()).isCloseTo(
                    served.stream().mapToLong(Served::promptTokens).sum() / 8.0, within(1e-9));
            assertThat(measured.completionTokensMean()).isCloseTo(
                    served.stream().mapToLong(Served::completionTokens).sum() / 8.0, within(1e-9));
            assertThat(measured.peakConcurrency()).isEqualTo(peak);
            assertThat(measured.ttftP95Ms()).isEqualTo(ttfts.length == 0 ? null : ttfts[(95 * ttfts.length + 99) / 100 - 1]);
            assertThat(measured.sampled()).isFalse();
            assertThat(measured.requestsByModel()).containsExactly(java.util.Map.entry("baby", 8L));

            // the default window, another model, the CLI's way in, and what is refused
            JsonNode fortnight = RunningPlatform.json(p.get("/admin/usage/traffic", p.adminKey()));
            // the ledger is minutes old: a 14-day window covers one day of it (at least a day is counted)
            assertThat(fortnight.path("days").asDouble()).isEqualTo(1.0);
            assertThat(fortnight.path("requests").asLong()).isEqualTo(8);
            JsonNode none = RunningPlatform.json(p.get("/admin/usage/traffic?days=3&model=nope", p.adminKey()));
            assertThat(none.path("model").asString()).isEqualTo("nope");
            assertThat(none.path("requests").asLong()).isZero();
            assertThat(none.path("prompt_tokens_mean").isNull()).isTrue();
            UsageTraffic viaClient = UsageTrafficSource.fromServer(new ServerClient(p.baseUrl(), p.adminKey(), p.caFile()),
                    1, "baby");
            assertThat(viaClient.requests()).isEqualTo(8);
            assertThat(viaClient.hourly()).isEqualTo(measured.hourly());
            assertThat(viaClient.peakConcurrency()).isEqualTo(peak);

            assertThat(p.get("/admin/usage/traffic", key).statusCode()).isEqualTo(403);
            for (String bad : List.of("days=0", "days=91", "days=abc", "days=-1", "days=1.5", "model=")) {
                HttpResponse<String> refused = p.get("/admin/usage/traffic?" + bad, p.adminKey());
                assertThat(refused.statusCode()).as(bad).isEqualTo(400);
                assertThat(refused.body()).as(bad).contains(bad.startsWith("days") ? "'days' must be a whole number"
                        : "'model' must not be empty");
            }
        }

        // the stopped server's data directory answers the same
        UsageTraffic fromData = UsageTrafficSource.fromData(data, 1, null);
        assertThat(fromData.model()).isEqualTo("baby");
        assertThat(fromData.requests()).isEqualTo(8);
        assertThat(fromData.hourly()).isEqualTo(measured.hourly());
        assertThat(fromData.peakConcurrency()).isEqualTo(measured.peakConcurrency());
        assertThat(fromData.completionTokensMean()).isEqualTo(measured.completionTokensMean());

        // and the planner makes a profile of it, keeping the team's targets
        Workload team = new Workload(1, "team", new ModelSpec("baby", 0.01, 2.0), 1.0, null, 1.0, 1.0, 1, 1.5, 99.5,
                50.0, 10.0, 5.0, List.of(new CpuService("cervella-core", 2.0, 4.0)));
        MeasuredWorkload m = MeasuredWorkload.from(measured, team);
        Workload w = m.workload();
        assertThat(w.requestsPerDay()).isEqualTo(8.0); // 8 requests in 1 day
        assertThat(w.dailyShape()).isEqualTo(measured.hourly().stream().map(Long::doubleValue).toList());
        assertThat(w.peakHourRequests()).isEqualTo((double) measured.hourly().stream().mapToLong(Long::longValue).max().orElseThrow());
        assertThat(w.promptTokens()).isEqualTo(measured.promptTokensMean());
        assertThat(w.completionTokens()).isEqualTo(measured.completionTokensMean());
        assertThat(w.peakConcurrency()).isEqualTo(Math.max(1, measured.peakConcurrency()));
        assertThat(w.model()).isEqualTo(new ModelSpec("baby", 0.01, 2.0));
        assertThat(w.name()).isEqualTo("team");
        assertThat(w.ttftP95Seconds()).isEqualTo(1.5);
        assertThat(w.budgetUsdPerMonth()).isEqualTo(50.0);
        assertThat(m.fields(MeasuredWorkload.Source.MEASURED)).contains("requests_per_day", "peak_concurrency");
        assertThat(m.fields(MeasuredWorkload.Source.WORKLOAD)).contains("budget_usd_per_month", "model.weights_gb");

        // cervella plan --from-usage on the stopped server's ledger: the measured traffic, sized as Qwen3-4B, planned
        CliTest.Result planned = CliTest.cervella("plan",
                "--from-usage", "--days", "1", "--data", data.toString(), "--model-name", "Qwen3-4B", "--weights-gb", "2.5",
                "--catalog-dir", java.nio.file.Path.of("..", "catalog").toString(), "--format", "json", "--date", "2026-11-27");
        assertThat(planned.exit()).as(planned.err()).isZero();
        assertThat(planned.err()).contains("measured baby over 1 day: 8 requests");
        JsonNode plan = io.cervella.core.http.Json.MAPPER.readTree(planned.out());
        assertThat(plan.path("workload").path("requests_per_day").asDouble()).isEqualTo(8.0);
        assertThat(plan.path("workload").path("model").asString()).isEqualTo("Qwen3-4B");
        assertThat(plan.path("workload").path("peak_concurrency").asInt()).isEqualTo(Math.max(1, measured.peakConcurrency()));
        assertThat(plan.path("recommendation").path("option").asString()).isNotBlank();
    }
}
