package io.cervella.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.core.http.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code cervella plan} on the shipped catalog and the team's profile, in each format, and its refusals. */
class PlanCommandTest {
    static final Path CATALOG = Path.of("..", "catalog");
    static final Path TEAM = Path.of("..", "examples", "cervella-swarm.yaml");

    @TempDir Path dir;

    static CliTest.Result plan(String... args) {
        List<String> all = new ArrayList<>(List.of("plan", "--catalog-dir", CATALOG.toString(), "--date", "2026-11-27"));
        all.addAll(List.of(args));
        return CliTest.cervella(all.toArray(String[]::new));
    }

    @Test
    void theTeamsProfileAsJsonHasEveryArchitectureItsBillAndTheLoadSeries() throws Exception {
        CliTest.Result r = plan("--workload", TEAM.toString(), "--format", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode p = Json.MAPPER.readTree(r.out());
        assertThat(p.path("catalog").path("stale").asBoolean()).isTrue(); // the shipped catalog holds 2024 entries
        JsonNode rec = p.path("recommendation");
        assertThat(rec.path("option").asString()).isNotBlank();
        assertThat(rec.path("usd_per_month").asDouble()).isPositive();
        List<String> archs = new ArrayList<>();
        p.path("best_by_architecture").forEach(e -> archs.add(e.path("architecture").asString()));
        assertThat(archs).contains("A", "B", "C", "D", "E");
        // each best option's bill adds up to its total
        for (JsonNode e : p.path("best_by_architecture")) {
            double sum = 0;
            for (JsonNode c : e.path("costs")) {
                sum += c.path("usd_per_month").asDouble();
            }
            assertThat(sum).as(e.path("option").asString()).isCloseTo(e.path("usd_per_month").asDouble(), org.assertj.core.api.Assertions.within(0.05));
            assertThat(e.path("performance").path("decode").path("source").asString())
                    .isIn("measured", "published", "memory-bandwidth bound", "scaled by memory bandwidth");
        }
        assertThat(p.path("cost_vs_load")).hasSize(7);
        assertThat(p.path("not_evaluated").path("gcp-t4").asString()).contains("incomplete");
    }

    @Test
    void htmlIsOneFileWithTwoChartsAndNoScript() throws Exception {
        Path out = dir.resolve("plan.html");
        CliTest.Result r = plan("--workload", TEAM.toString(), "--format", "html", "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        String html = Files.readString(out);
        assertThat(html).startsWith("<!doctype html>");
        assertThat(html.split("<svg", -1)).hasSize(3);
        assertThat(html).contains("Cost per option", "Cost against load", "polyline", "The catalog is stale");
        assertThat(html).doesNotContain("<script", "http://cdn", "https://cdn");
        // an architecture with no option at some load must not poison the scale (it did: NaN coordinates)
        assertThat(html).doesNotContain("NaN", "Infinity");
        assertThat(html.split("<polyline", -1).length - 1).isGreaterThanOrEqualTo(4);
    }

    @Test
    void aMeasuredFigureFromBenchReplacesTheBandwidthBound() throws Exception {
        Path bench = Files.writeString(dir.resolve("bench.json"), """
                {"catalog": 1, "read": "2026-11-27", "performance": [{"model": "Qwen3-4B", "hardware": "RTX 3090",
                 "prompt_tokens": 900, "prefill_tokens_per_second": 3000, "decode_tokens_per_second": 20,
                 "measured": true, "source": "cervella bench --hardware 'RTX 3090'"}]}
                """);
        CliTest.Result r = plan("--workload", TEAM.toString(), "--format", "json", "--catalog", bench.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode p = Json.MAPPER.readTree(r.out());
        int seen = 0;
        for (JsonNode e : p.path("ranked")) {
            if (e.path("option").asString().contains("rtx-3090")) {
                // 900/3000 + 250/20 = 12.8 s a request: far slower than the bound said (0.28 + 1.11 s)
                assertThat(e.path("service_seconds").asDouble()).as(e.path("option").asString()).isEqualTo(12.8);
                assertThat(e.path("ttft_p95_seconds").asDouble()).isGreaterThanOrEqualTo(0.3);
                seen++;
            }
        }
        assertThat(seen).isPositive();
        assertThat(r.out()).contains("\"source\" : \"measured\"");
    }

    @Test
    void docsDecisionHoldsTheReportThePlannerMakesToday() throws Exception {
        // docs/decision.md quotes the team's report; a change to the catalog or the planner must regenerate it
        CliTest.Result r = plan("--workload", TEAM.toString(), "--catalog", Path.of("..", "docs", "measured", "bench-cpu-2vcpu-2026-11-27.json").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        String doc = Files.readString(Path.of("..", "docs", "decision.md"));
        String quoted = doc.substring(doc.indexOf("## The report"));
        quoted = quoted.substring(quoted.indexOf("```\n") + 4, quoted.lastIndexOf("```"));
        assertThat(quoted).as("regenerate with the command at the top of docs/decision.md").isEqualTo(r.out());
    }

    @Test
    void refusalsSayWhatIsMissing() {
        CliTest.Result none = plan();
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("give --workload FILE or --from-usage");
        CliTest.Result format = plan("--workload", TEAM.toString(), "--format", "pdf");
        assertThat(format.exit()).isEqualTo(2);
        assertThat(format.err()).contains("--format must be table, json or html");
        CliTest.Result sizes = plan("--from-usage", "--data", dir.toString());
        assertThat(sizes.exit()).isEqualTo(2);
        assertThat(sizes.err()).contains("needs --weights-gb");
    }
}
