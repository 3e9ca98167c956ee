package io.cervella.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.Main;
import io.cervella.app.testkit.RunningPlatform;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a stopped server's data and against a running server. */
class CliTest {
    @TempDir Path dir;

    record Result(int exit, String out, String err) {}

    static Result cervella(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void badArgumentsExitWith2AndAMessage() {
        Result r = cervella("frobnicate");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("frobnicate");
        assertThat(cervella().exit()).isEqualTo(2);
        assertThat(cervella("serve", "--port", "notaport").exit()).isEqualTo(2);
        Result scopes = cervella("keys", "create", "--data", dir.toString(), "--name", "x", "--scopes", "root");
        assertThat(scopes.exit()).isEqualTo(2);
        assertThat(scopes.err()).contains("unknown scope 'root'");
    }

    @Test
    void modelSynthWritesAFileAndRefusesBadOptions() throws Exception {
        Path out = dir.resolve("baby.gguf");
        Result ok = cervella("model", "synth", "--arch", "qwen3", "--out", out.toString(), "--type", "q4_k");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("qwen3").contains("Q4_K");
        try (var g = io.cervella.inference.engine.gguf.GgufFile.open(out)) {
            assertThat(g.architecture()).isEqualTo("qwen3");
        }
        Result bad = cervella("model", "synth", "--arch", "gpt5", "--out", out.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--arch: unknown value 'gpt5'");
        assertThat(cervella("model", "synth", "--arch", "qwen3", "--out", out.toString(), "--type", "q5_k").exit()).isEqualTo(2);
    }

    @Test
    void aBadConfigStopsStartUpNamingTheKey() throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), """
                models:
                  - name: baby
                    backends:
                      - type: openai
                        url: ftp://nowhere
                """);
        Result r = cervella("serve", "--config", dir.resolve("bad.yaml").toString(), "--data", dir.resolve("d").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("models[0].backends[0]").contains("url: must be an http:// or https:// URL");
        Result missing = cervella("serve", "--config", dir.resolve("none.yaml").toString(), "--data", dir.toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no such config file");
    }

    @Test
    void keysOnAStoppedServersData() throws Exception {
        try (RunningPlatform p = RunningPlatform.start(dir, "")) {
            // started once so that the data directory exists; stopped below
        }
        Result created = cervella("keys", "create", "--data", dir.toString(), "--name", "laptop", "--scopes",
                "chat,embeddings", "--rpm", "60", "--budget-usd", "10");
        assertThat(created.exit()).isZero();
        String key = created.out().strip();
        assertThat(key).matches("ck_[A-Za-z0-9_-]{55}");

        Result list = cervella("keys", "list", "--data", dir.toString());
        assertThat(list.out()).contains("laptop").contains("chat,embeddings").contains("60").doesNotContain(key);

        assertThat(cervella("keys", "revoke", "--data", dir.toString(), "laptop").exit()).isZero();
        assertThat(cervella("keys", "revoke", "--data", dir.toString(), "laptop").exit()).isEqualTo(2);
        try (RunningPlatform p = RunningPlatform.start(dir, "")) {
            assertThat(p.get("/healthz", null).statusCode()).isEqualTo(200);
            assertThat(p.get("/v1/models", key).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void keysAndUsageThroughARunningServer() throws Exception {
        try (RunningPlatform p = RunningPlatform.start(dir, "")) {
            List<String> remote = List.of("--server", p.baseUrl(), "--key", p.adminKey(), "--cacert", p.caFile().toString());
            Result created = cervella(concat(List.of("keys", "create", "--name", "ci", "--scopes", "chat"), remote));
            assertThat(created.exit()).as(created.err()).isZero();
            String key = created.out().strip();
            assertThat(p.get("/v1/models", key).statusCode()).isEqualTo(200);

            Result list = cervella(concat(List.of("keys", "list"), remote));
            assertThat(list.out()).contains("ci").contains("admin");

            assertThat(cervella(concat(List.of("keys", "revoke", "ci"), remote)).exit()).isZero();
            assertThat(p.get("/v1/models", key).statusCode()).isEqualTo(401);

            Result usage = cervella(concat(List.of("usage", "--by", "model", "--since", "24h"), remote));
            assertThat(usage.exit()).isZero();
            assertThat(usage.out()).startsWith("MODEL");

            Result wrongKey = cervella("keys", "list", "--server", p.baseUrl(), "--key", "ck_nope", "--cacert",
                    p.caFile().toString());
            assertThat(wrongKey.exit()).isEqualTo(1);
            assertThat(wrongKey.err()).contains("HTTP 401");

            Result untrusted = cervella("keys", "list", "--server", p.baseUrl(), "--key", p.adminKey());
            assertThat(untrusted.exit()).isEqualTo(1);
            assertThat(untrusted.err()).contains("cannot reach");
        }
    }

    private static String[] concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all.toArray(String[]::new);
    }
}
