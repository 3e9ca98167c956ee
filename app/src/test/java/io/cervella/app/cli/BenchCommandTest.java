package io.cervella.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cervella.app.testkit.RunningPlatform;
import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.synth.ModelSynth;
import io.cervella.planner.catalog.Catalog;
import io.cervella.planner.catalog.Performance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code cervella bench} against the real platform serving a synthesized model with the embedded engine
 * (a worker process), read back by the planner's catalog reader.
 */
class BenchCommandTest {
    /** The shipped catalog, which a measured file joins. */
    private static final Path SHIPPED_CATALOG = Path.of("..", "catalog");

    @TempDir Path dir;

    static String[] args(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(Arrays.asList(more));
        return all.toArray(String[]::new);
    }

    @Test
    void measuresAServedModelAndWritesAFigureThePlannerReads() throws Exception {
        Path model = dir.resolve("baby.gguf");
        ModelSynth.write(new ModelSynth.Spec(ModelSynth.Arch.QWEN3, ModelSynth.Size.TINY, GgmlType.Q8_0, 4), model);
        String yaml = "models:\n  - name: cervella-baby\n    backends:\n      - type: embedded\n        path: " + model + "\n";
        try (RunningPlatform p = RunningPlatform.start(dir.resolve("data"), yaml)) {
            String key = p.createKey("{\"name\":\"bench\",\"scopes\":[\"chat\"]}");
            Instant deadline = Instant.now().plusSeconds(60);
            while (!RunningPlatform.json(p.get("/readyz", null)).path("degraded").isEmpty()) {
                assertThat(Instant.now()).as("worker ready within 60 s").isBefore(deadline);
                Thread.sleep(100);
            }
            Path out = dir.resolve("figures").resolve("bench.json");
            long started = System.nanoTime();
            CliTest.Result r = CliTest.cervella("bench", "--server", p.baseUrl(), "--key", key, "--cacert", p.caFile().toString(),
                    "--model", "cervella-baby", "--hardware", "cpu", "--vcpus", "2", "--quantization", "Q8_0",
                    "--prompt-tokens", "300", "--completion-tokens", "24", "--requests", "3", "--warmup", "1",
                    "--out", out.toString());
            double elapsedSeconds = (System.nanoTime() - started) / 1e9;
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("REQUEST", "warmup", "median", "wrote " + out).doesNotContain(key);
            assertThat(r.out().lines().filter(l -> l.matches("[123] .*"))).hasSize(3);
            assertThat(r.err()).doesNotContain(key);

            // what the bench says it sent is what the server served: 2 sizing requests, 1 warm-up, 3 measured
            JsonNode usage = RunningPlatform.json(p.get("/admin/usage?by=model&since=1h", p.adminKey())).path("data");
            for (int i = 0; i < 100 && usage.path(0).path("requests").asLong() < 6; i++) {
                Thread.sleep(100); // the ledger may commit the last row just after the stream ended
                usage = RunningPlatform.json(p.get("/admin/usage?by=model&since=1h", p.adminKey())).path("data");
            }
            assertThat(usage).hasSize(1);
            assertThat(usage.get(0).path("requests").asLong()).isEqualTo(6);
            assertThat(usage.get(0).path("errors").asLong()).isZero();

            String written = Files.readString(out);
            assertThat(written).doesNotContain(key).doesNotContain("--key").doesNotContain("--cacert");
            Catalog catalog = Catalog.load(SHIPPED_CATALOG, List.of(out));
            List<Performance> measured = catalog.figures().stream().filter(f -> f.file().equals("bench.json"))
                    .map(Catalog.Figure::performance).toList();
            assertThat(measured).hasSize(1);
            Performance f = measured.getFirst();
            assertThat(f.measured()).isTrue();
            assertThat(f.model()).isEqualTo("cervella-baby");
            assertThat(f.hardware()).isEqualTo("cpu");
            assertThat(f.vcpus()).isEqualTo(2);
            assertThat(f.quantization()).isEqualTo("Q8_0");
            assertThat(f.read()).isBetween(LocalDate.now().minusDays(1), LocalDate.now()); // the run may cross midnight
            // sized with the server's own token counts: only the tag's and the last words' rounding differ
            assertThat(f.promptTokens()).isBetween(290, 310);
            assertThat(f.ttftSeconds()).isPositive().isLessThan(30.0);
            assertThat(f.prefillTokensPerSecond()).isPositive();
            assertThat(f.decodeTokensPerSecond()).isNotNull().isPositive();
            // one request, first token then 23 more at the median rate, took less than the whole run
            assertThat(f.ttftSeconds() + 23 / f.decodeTokensPerSecond()).isLessThan(elapsedSeconds);
            assertThat(f.ttftSeconds() * f.prefillTokensPerSecond()).isCloseTo(f.promptTokens(), within(f.promptTokens() * 0.01));
            assertThat(f.source()).startsWith("cervella bench --server " + p.baseUrl() + " --model cervella-baby --hardware cpu"
                    + " --vcpus 2").contains("--requests 3", "--prompt-tokens 300").doesNotContain(key);
            assertThat(f.note()).contains("3 requests", "'cervella-baby'", "lower bound");
        }
    }

    @Test
    void badArgumentsExitWith2AndARefusingServerWith1() throws Exception {
        List<String> target = List.of("bench", "--server", "https://localhost:1", "--key", "ck_test", "--model", "m");
        CliTest.Result noHardware = CliTest.cervella(args(target));
        assertThat(noHardware.exit()).isEqualTo(2);
        assertThat(noHardware.err()).contains("Missing required option", "--hardware");
        CliTest.Result cpuAlone = CliTest.cervella(args(target, "--hardware", "cpu"));
        assertThat(cpuAlone.exit()).isEqualTo(2);
        assertThat(cpuAlone.err()).contains("--hardware cpu needs --vcpus");
        CliTest.Result vcpusOnGpu = CliTest.cervella(args(target, "--hardware", "L4", "--vcpus", "8"));
        assertThat(vcpusOnGpu.exit()).isEqualTo(2);
        assertThat(vcpusOnGpu.err()).contains("--vcpus is for --hardware cpu only");
        CliTest.Result noRequests = CliTest.cervella(args(target, "--hardware", "L4", "--requests", "0"));
        assertThat(noRequests.exit()).isEqualTo(2);
        assertThat(noRequests.err()).contains("--requests must be at least 1, was 0");
        CliTest.Result noTokens = CliTest.cervella(args(target, "--hardware", "L4", "--completion-tokens", "0"));
        assertThat(noTokens.exit()).isEqualTo(2);
        assertThat(noTokens.err()).contains("--completion-tokens must be at least 1");
        CliTest.Result ftp = CliTest.cervella("bench", "--server", "ftp://x", "--key", "k", "--model", "m", "--hardware", "L4");
        assertThat(ftp.exit()).isEqualTo(2);
        assertThat(ftp.err()).contains("--server must be an https://");

        String server;
        try (RunningPlatform p = RunningPlatform.start(dir.resolve("data"), "")) {
            server = p.baseUrl();
            CliTest.Result refused = CliTest.cervella("bench", "--server", server, "--key", "ck_not_a_key", "--cacert", p.caFile().toString(),
                    "--model", "cervella-baby", "--hardware", "L4", "--out", dir.resolve("never.json").toString());
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).startsWith("cervella: " + server + " answered HTTP 401").doesNotContain("\tat ");
            CliTest.Result untrusted = CliTest.cervella("bench", "--server", server, "--key", p.adminKey(), "--model", "cervella-baby",
                    "--hardware", "L4", "--out", dir.resolve("never.json").toString());
            assertThat(untrusted.exit()).isEqualTo(1);
            assertThat(untrusted.err()).contains("--cacert").doesNotContain(p.adminKey()).doesNotContain("\tat ");
        }
        CliTest.Result gone = CliTest.cervella("bench", "--server", server, "--key", "ck_x", "--model", "m", "--hardware", "L4",
                "--out", dir.resolve("never.json").toString());
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).startsWith("cervella: cannot reach " + server).doesNotContain("\tat ");
        assertThat(dir.resolve("never.json")).doesNotExist();
    }

    @Test
    void theDefaultFileNamesTheHardwareAndTheDate() {
        assertThat(BenchCommand.defaultOut("RTX  4090", LocalDate.of(2026, 11, 27)))
                .isEqualTo(Path.of("bench-rtx-4090-2026-11-27.json"));
        assertThat(BenchCommand.defaultOut("L4 / A5000", LocalDate.of(2026, 1, 2)))
                .isEqualTo(Path.of("bench-l4-a5000-2026-01-02.json"));
        assertThat(BenchCommand.withoutUserInfo("https://me:secret@host:8443/x")).isEqualTo("https://host:8443/x");
    }
}
