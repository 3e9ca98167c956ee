package io.cervella.app.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.Main;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.vault.client.DeviceSync;
import io.cervella.vault.client.SyncProgress;
import io.cervella.vault.client.VaultClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Admin actions through the running platform land in the audit log — keys created and revoked, a
 * config reload, a vault restore, a key made with the CLI on the stopped server's data — with who
 * did them; the API reads the log and checks its chain, and offers no way to change it.
 */
class AuditTrailTest {
    @TempDir Path dir;

    @Test
    void adminActionsAreRecordedWithTheirActorAndTheLogCannotBeChangedThroughTheApi() throws Exception {
        Path data = dir.resolve("data");
        try (RunningPlatform p = RunningPlatform.start(data, "server: {port: 0}\n",
                Map.of("CERVELLA_VAULT_PASSPHRASE", "a long vault passphrase for the test"))) {
            String temp = p.createKey("{\"name\":\"temp\",\"scopes\":[\"chat\"]}");
            assertThat(p.sendMethod("DELETE", "/admin/keys/temp", p.adminKey()).statusCode()).isEqualTo(200);
            assertThat(p.post("/admin/reload", p.adminKey(), "").statusCode()).isEqualTo(200);

            String device = p.createKey("{\"name\":\"laptop\",\"scopes\":[\"vault\"]}");
            Path folder = Files.createDirectories(dir.resolve("laptop"));
            VaultClient client = new VaultClient(p.baseUrl(), device, p.sslContext());
            Files.writeString(folder.resolve("segreto-nome.md"), "v1");
            new DeviceSync(folder, client, SyncProgress.NONE, false).run();
            Files.writeString(folder.resolve("segreto-nome.md"), "v2");
            new DeviceSync(folder, client, SyncProgress.NONE, false).run();
            long first = RunningPlatform.json(p.get("/vault/versions?path=segreto-nome.md", device)).path("versions")
                    .valueStream().mapToLong(v -> v.path("seq").asLong()).min().orElseThrow();
            assertThat(p.post("/vault/restore", device, "{\"path\":\"segreto-nome.md\",\"seq\":" + first + "}").statusCode()).isEqualTo(200);

            JsonNode log = RunningPlatform.json(p.get("/admin/audit", p.adminKey())).path("data");
            List<String> actions = new ArrayList<>();
            log.forEach(e -> actions.add(e.path("action").asString()));
            // newest first
            assertThat(actions).containsExactly("vault.restore", "key.create", "config.reload", "key.revoke", "key.create");
            JsonNode restore = log.get(0);
            String deviceId = RunningPlatform.json(p.get("/admin/keys", p.adminKey())).path("data").valueStream()
                    .filter(k -> k.path("name").asString().equals("laptop")).findFirst().orElseThrow().path("id").asString();
            assertThat(restore.path("actor").asString()).isEqualTo(deviceId);
            assertThat(restore.toString()).as("the log is not encrypted: no file name in it").doesNotContain("segreto");
            JsonNode revoke = log.get(3);
            assertThat(revoke.path("target").asString()).isEqualTo("temp");
            String adminKeyId = revoke.path("actor").asString();
            assertThat(log.get(2).path("actor").asString()).isEqualTo(adminKeyId);
            assertThat(log.get(4).path("detail").path("name").asString()).isEqualTo("temp");
            assertThat(log.toString()).doesNotContain(temp).doesNotContain(device).doesNotContain(p.adminKey());

            JsonNode verify = RunningPlatform.json(p.get("/admin/audit/verify", p.adminKey()));
            assertThat(verify.path("ok").asBoolean()).isTrue();
            assertThat(verify.path("rows_checked").asLong()).isEqualTo(5);

            // read-only: no method changes it, and a key without admin cannot read it
            assertThat(p.sendMethod("DELETE", "/admin/audit", p.adminKey()).statusCode()).isIn(404, 405);
            assertThat(p.send("/admin/audit", p.adminKey(), java.net.http.HttpRequest.BodyPublishers.ofString("{}")).statusCode()).isIn(404, 405);
            String metrics = p.createKey("{\"name\":\"grafana\",\"scopes\":[\"metrics\"]}");
            assertThat(p.get("/admin/audit", metrics).statusCode()).isEqualTo(403);
        }

        // the CLI on the stopped server's data writes to the same log, as 'local'
        StringWriter out = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(out, true),
                "keys", "create", "--name", "offline", "--scopes", "chat", "--data", data.toString());
        assertThat(exit).as(out.toString()).isZero();
        try (RunningPlatform p = RunningPlatform.start(data, "server: {port: 0}\n",
                Map.of("CERVELLA_VAULT_PASSPHRASE", "a long vault passphrase for the test"))) {
            JsonNode newest = RunningPlatform.json(p.get("/admin/audit?limit=1", p.adminKey())).path("data").get(0);
            assertThat(newest.path("action").asString()).isEqualTo("key.create");
            assertThat(newest.path("actor").asString()).isEqualTo("local");
            assertThat(newest.path("detail").path("name").asString()).isEqualTo("offline");
            assertThat(RunningPlatform.json(p.get("/admin/audit/verify", p.adminKey())).path("ok").asBoolean()).isTrue();
        }
    }
}
