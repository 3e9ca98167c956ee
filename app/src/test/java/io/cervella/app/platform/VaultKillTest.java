package io.cervella.app.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.core.http.Json;
import io.cervella.core.tls.TlsContexts;
import io.cervella.vault.client.DeviceSync;
import io.cervella.vault.client.SyncProgress;
import io.cervella.vault.client.SyncState;
import io.cervella.vault.client.VaultClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * kill -9 of cervella serve in the middle of a device's first sync: after the restart nothing the
 * device had acknowledged is lost, no partial file is visible, `vault check` is clean, and the sync
 * resumes and completes.
 */
class VaultKillTest {
    private static final Map<String, String> UNLOCK = Map.of("CERVELLA_VAULT_PASSPHRASE", "frase per il test di kill");

    @TempDir Path dir;

    @Test
    void kill9InTheMiddleOfASyncLosesNothingAcknowledgedAndShowsNoPartialFile() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Path laptop = Files.createDirectories(dir.resolve("laptop"));
        Random random = new Random(5);
        // 5,000 notes: three commits of at most 2,000 files each
        for (int i = 0; i < 5_000; i++) {
            byte[] body = new byte[1_000 + random.nextInt(3_000)];
            random.nextBytes(body);
            Files.write(Files.createDirectories(laptop.resolve("n" + (i % 50))).resolve("nota-" + i + ".bin"), body);
        }
        String laptopKey;
        String desktopKey;
        Throwable syncError;
        try (ServerProcess server = ServerProcess.start(data, UNLOCK)) {
            String admin = Files.readString(data.resolve("admin.key")).strip();
            SSLContext ssl = TlsContexts.clientTrusting(data.resolve("tls/ca.pem"));
            laptopKey = createKey(server.baseUrl(), admin, ssl, "laptop");
            desktopKey = createKey(server.baseUrl(), admin, ssl, "desktop");
            VaultClient client = new VaultClient(server.baseUrl(), laptopKey, ssl);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread sync = Thread.ofVirtual().start(() -> {
                try {
                    new DeviceSync(laptop, client, SyncProgress.NONE, false).run();
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (SyncState.load(laptop).files().isEmpty() && System.nanoTime() < deadline && sync.isAlive()) {
                Thread.sleep(2);
            }
            server.sigkill(); // the laptop has recorded its first commit; the rest is on its way
            server.waitFor(10);
            sync.join(Duration.ofSeconds(60));
            syncError = failure.get();
        }
        assertThat(syncError).as("the sync was cut by the kill, not finished before it").isNotNull();
        SyncState acknowledged = SyncState.load(laptop);
        assertThat(acknowledged.files()).as("at least the first commit was acknowledged; the sync ended with " + syncError).hasSizeGreaterThanOrEqualTo(1);

        try (ServerProcess again = ServerProcess.start(data, UNLOCK)) {
            SSLContext ssl = TlsContexts.clientTrusting(data.resolve("tls/ca.pem"));
            // every file the laptop recorded as synced is in the vault with that content
            VaultClient desktop = new VaultClient(again.baseUrl(), desktopKey, ssl);
            Path desktopDir = Files.createDirectories(dir.resolve("desktop"));
            new DeviceSync(desktopDir, desktop, SyncProgress.NONE, false).run();
            for (Map.Entry<String, SyncState.Entry> e : acknowledged.files().entrySet()) {
                Path got = desktopDir.resolve(e.getKey());
                assertThat(got).as(e.getKey()).exists();
                assertThat(sha256(got)).isEqualTo(e.getValue().contentHash());
            }
            // and every file visible is whole: the same bytes as the laptop's
            try (var files = Files.walk(desktopDir)) {
                for (Path p : files.filter(Files::isRegularFile).filter(p -> !desktopDir.relativize(p).startsWith(".cervella")).toList()) {
                    assertThat(Files.readAllBytes(p)).as(p.toString()).isEqualTo(Files.readAllBytes(laptop.resolve(desktopDir.relativize(p))));
                }
            }
            // the laptop resumes, and then both folders are the same
            new DeviceSync(laptop, new VaultClient(again.baseUrl(), laptopKey, ssl), SyncProgress.NONE, false).run();
            new DeviceSync(desktopDir, desktop, SyncProgress.NONE, false).run();
            try (var files = Files.walk(laptop)) {
                long count = 0;
                for (Path p : files.filter(Files::isRegularFile).filter(p -> !laptop.relativize(p).startsWith(".cervella")).toList()) {
                    assertThat(Files.readAllBytes(desktopDir.resolve(laptop.relativize(p)))).isEqualTo(Files.readAllBytes(p));
                    count++;
                }
                assertThat(count).isEqualTo(5_000);
            }
            again.sigterm();
            again.waitFor(30);
        }
        // the blob store read back whole, by the CLI on the stopped server's data
        ProcessBuilder check = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.cervella.app.Main", "vault", "check", "--data", data.toString())
                .redirectErrorStream(true);
        check.environment().putAll(UNLOCK);
        Process p = check.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("clean: ").contains("5000 versions read back");
    }

    private static String createKey(String base, String admin, SSLContext ssl, String name) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(ssl).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/keys"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"scopes\":[\"vault\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = Json.MAPPER.readTree(r.body());
        return body.path("key").asString();
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
