package io.cervella.app.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.testkit.FakeOpenAiServer;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.app.testkit.Yaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** A restart on the same data directory keeps the CA, the admin key, the keys and the usage. */
class RestartTest {
    @TempDir Path dir;

    @Test
    void aRestartKeepsKeysUsageAndTlsMaterial() throws Exception {
        try (FakeOpenAiServer up = new FakeOpenAiServer("up").start()) {
            String yaml = Yaml.model("", up.baseUrl());
            String key;
            String adminKey;
            String caPem;
            try (RunningPlatform first = RunningPlatform.start(dir, yaml)) {
                adminKey = first.adminKey();
                caPem = Files.readString(first.caFile());
                key = first.createKey("{\"name\":\"agent\",\"scopes\":[\"chat\"],\"budget_usd\":2.5}");
                for (int i = 0; i < 3; i++) {
                    assertThat(first.post("/v1/chat/completions", key,
                            "{\"model\":\"baby\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode()).isEqualTo(200);
                }
            }
            assertThat(Files.readString(dir.resolve("admin.key")).strip()).isEqualTo(adminKey);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("admin.key")))).isEqualTo("rw-------");

            try (RunningPlatform second = RunningPlatform.start(dir, yaml)) {
                assertThat(second.adminKey()).isEqualTo(adminKey);
                assertThat(Files.readString(second.caFile())).isEqualTo(caPem);
                assertThat(second.get("/v1/models", key).statusCode()).isEqualTo(200);
                JsonNode usage = RunningPlatform.json(second.get("/admin/usage?by=key&since=1h", adminKey)).path("data");
                JsonNode row = null;
                for (JsonNode r : usage) {
                    if (r.path("group").asString().equals(key.substring(3, 15))) {
                        row = r;
                    }
                }
                assertThat(row).isNotNull();
                assertThat(row.path("requests").asLong()).isEqualTo(3);
                assertThat(row.path("prompt_tokens").asLong()).isEqualTo(33);
                JsonNode keys = RunningPlatform.json(second.get("/admin/keys", adminKey)).path("data");
                assertThat(keys.toString()).contains("\"name\":\"agent\"").contains("\"budget_usd\":2.5")
                        .doesNotContain(key);
            }
        }
    }
}
