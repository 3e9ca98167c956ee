package io.cervella.app.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.app.CervellaConfig;
import io.cervella.app.testkit.FakeOpenAiServer;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.core.config.ConfigException;
import io.cervella.core.config.YamlConfigReader;
import io.cervella.core.tls.LocalCertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    @TempDir Path dir;

    /** The example of DESIGN.md, as a user would paste it. */
    static final String DESIGN_EXAMPLE = """
            models:
              - name: cervella-baby            # the name clients send as "model"
                backends:                      # tried in order; the first healthy one serves
                  - type: openai               # any OpenAI-compatible server: vLLM, llama.cpp server, Ollama
                    url: http://gpu-1:8000/v1
                    model: Qwen/Qwen3-4B       # the name that server expects (default: same as above)
                    api_key_env: GPU1_KEY      # optional: env var holding that server's key
                    cost_per_hour_usd: 0.39    # what this backend costs while it runs
                  - type: embedded             # the pure-Java engine in a worker process
                    path: models/Qwen3-4B-Q4_K_M.gguf
            """;

    @Test
    void theDesignExampleParses() {
        CervellaConfig c = YamlConfigReader.parse(DESIGN_EXAMPLE, CervellaConfig.class, "design.yaml");
        assertThat(c.models()).singleElement().satisfies(m -> {
            assertThat(m.name()).isEqualTo("cervella-baby");
            assertThat(m.backends()).hasSize(2);
            assertThat(m.backends().getFirst().costPerHourUsd()).isEqualTo(0.39);
            assertThat(m.backends().getFirst().name()).isEqualTo("gpu-1:8000");
            assertThat(m.backends().get(1).type()).isEqualTo("embedded");
        });
        assertThat(c.server().port()).isEqualTo(8443);
    }

    @Test
    void badValuesAreNamedByTheirPath() {
        assertThatThrownBy(() -> YamlConfigReader.parse("""
                models:
                  - name: m
                    backends:
                      - type: openai
                        url: http://x/v1
                        max_concurrency: 0
                """, CervellaConfig.class, "c.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("models[0].backends[0]")
                .hasMessageContaining("max_concurrency: must be at least 1");
        assertThatThrownBy(() -> YamlConfigReader.parse("models:\n  - name: m\n    backends: []\n", CervellaConfig.class, "c.yaml"))
                .hasMessageContaining("backends: needs at least one backend");
        assertThatThrownBy(() -> YamlConfigReader.parse("modles: []\n", CervellaConfig.class, "c.yaml"))
                .hasMessageContaining("modles: unknown key");
    }

    @Test
    void aMissingSecretEnvironmentVariableStopsStartUp() throws Exception {
        assertThatThrownBy(() -> RunningPlatform.start(dir, """
                models:
                  - name: m
                    backends:
                      - type: openai
                        url: http://127.0.0.1:9/v1
                        api_key_env: NOT_SET_ANYWHERE
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("models[0].backends[0].api_key_env: the environment variable NOT_SET_ANYWHERE is not set");
    }

    @Test
    void theBackendKeyComesFromTheEnvironmentAndIsSentUpstream() throws Exception {
        try (FakeOpenAiServer up = new FakeOpenAiServer("up").start()) {
            // RunningPlatform's environment has UPSTREAM_KEY=sk-upstream.
            try (RunningPlatform p = RunningPlatform.start(dir, io.cervella.app.testkit.Yaml.model("api_key_env: UPSTREAM_KEY", up.baseUrl()))) {
                String key = p.createKey("{\"name\":\"a\",\"scopes\":[\"chat\"]}");
                p.post("/v1/chat/completions", key, "{\"model\":\"baby\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                assertThat(up.lastAuthorization).isEqualTo("Bearer sk-upstream");
            }
        }
    }

    @Test
    void theOperatorsOwnCertificateIsUsedInsteadOfTheLocalCa() throws Exception {
        // A certificate from "another" CA, as an operator would bring from their PKI.
        Path theirs = dir.resolve("their-pki");
        var material = new LocalCertificateAuthority(theirs, Clock.systemUTC())
                .ensure(LocalCertificateAuthority.defaultNames(List.of("cervella.team.example")));
        Path data = dir.resolve("data");
        try (RunningPlatform p = RunningPlatform.startTrusting(data, "tls:\n  cert_file: " + theirs.resolve("server.pem")
                + "\n  key_file: " + theirs.resolve("server-key.pem") + "\n", theirs.resolve("ca.pem"))) {
            assertThat(p.get("/healthz", null).statusCode()).isEqualTo(200);
            assertThat(Files.exists(data.resolve("tls/ca.pem"))).isFalse();
            assertThat(material.leaf()).isNotNull();
        }
    }
}
