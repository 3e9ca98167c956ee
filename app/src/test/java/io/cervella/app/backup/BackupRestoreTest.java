package io.cervella.app.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.Main;
import io.cervella.app.testkit.FakeOpenAiServer;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.app.testkit.Yaml;
import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.restore.Restorer;
import io.cervella.backup.run.Progress;
import io.cervella.backup.snapshot.Snapshots;
import io.cervella.backup.verify.Verifier;
import io.cervella.core.blob.S3BlobStore;
import io.cervella.core.crypto.Unlock;
import io.cervella.vault.client.DeviceSync;
import io.cervella.vault.client.SyncProgress;
import io.cervella.vault.client.VaultClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;

/**
 * The proof: a platform with keys, usage, vault files and memory documents is backed up to a
 * folder and to a bucket (S3Proxy) while requests go on; the snapshot is restored into a new data
 * directory, a server started on it, and everything acknowledged before the snapshot is there.
 */
class BackupRestoreTest {
    @RegisterExtension
    final S3ProxyExtension s3 = S3ProxyExtension.builder().withCredentials("access", "secret-key").build();
    @TempDir Path dir;

    static final Map<String, String> VAULT = Map.of("CERVELLA_VAULT_PASSPHRASE", "una frase lunga e segreta");

    private record Cli(int exit, String out) {}

    private static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(out, true), args);
        return new Cli(exit, out.toString());
    }

    private String yaml(String upstream, Path keyFile, Path repo) {
        return Yaml.model("", upstream) + """
                backup:
                  unlock:
                    key_file: %s
                  targets:
                    - name: local
                      store: {type: local, path: %s}
                      schedule: off
                    - name: offsite
                      store: {type: s3, endpoint: %s, bucket: backups, prefix: eu-west/cervella, access_key_env: S3_ACCESS, secret_key_env: S3_SECRET}
                      schedule: off
                """.formatted(keyFile, repo, s3.getUri());
    }

    private static JsonNode waitForRun(RunningPlatform p, String target) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode t : RunningPlatform.json(p.get("/admin/backups", p.adminKey())).path("targets")) {
                if (t.path("target").asString().equals(target) && !t.path("running").asBoolean()
                        && !t.path("last_result").asString().equals("never")) {
                    return t;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the backup to " + target + " did not finish");
    }

    @Test
    void aSnapshotTakenWhileWritesGoOnRestoresIntoANewDataDirectoryThatServesTheSamePlatform() throws Exception {
        try (S3Client admin = S3Client.builder().region(Region.US_EAST_1).endpointOverride(s3.getUri()).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.getAccessKey(), s3.getSecretKey())))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            admin.createBucket(b -> b.bucket("backups"));
        }
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        Path keyFile = dir.resolve("backup.key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(raw));
        Path repo = dir.resolve("repo");
        Map<String, String> env = new HashMap<>(VAULT);
        env.put("S3_ACCESS", s3.getAccessKey());
        env.put("S3_SECRET", s3.getSecretKey());

        try (FakeOpenAiServer up = new FakeOpenAiServer("up").start()) {
            String yaml = yaml(up.baseUrl(), keyFile, repo);
            String agent;
            int before;
            AtomicInteger acknowledged = new AtomicInteger();
            try (RunningPlatform p = RunningPlatform.start(dir.resolve("data"), yaml, env)) {
                agent = p.createKey("{\"name\":\"agent\",\"scopes\":[\"chat\",\"memory\",\"vault\"]}");
                String chat = "{\"model\":\"baby\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
                for (int i = 0; i < 3; i++) {
                    assertThat(p.post("/v1/chat/completions", agent, chat).statusCode()).isEqualTo(200);
                    acknowledged.incrementAndGet();
                }
                // the vault: a file in two versions
                Path folder = Files.createDirectories(dir.resolve("laptop"));
                VaultClient client = new VaultClient(p.baseUrl(), agent, p.sslContext());
                Files.writeString(folder.resolve("decisioni.md"), "usare Hetzner\n");
                new DeviceSync(folder, client, SyncProgress.NONE, false).run();
                Files.writeString(folder.resolve("decisioni.md"), "usare Hetzner e RunPod\n");
                new DeviceSync(folder, client, SyncProgress.NONE, false).run();
                // the memory: a document
                assertThat(p.post("/memory/collections", agent, "{\"name\":\"sncp\"}").statusCode()).isEqualTo(201);
                assertThat(p.post("/memory/collections/sncp/documents", agent,
                        "{\"id\":\"stato.md\",\"content\":\"Il backup geografico va a Francoforte.\"}").statusCode()).isBetween(200, 201);

                // requests go on while the backup runs
                AtomicBoolean stop = new AtomicBoolean();
                Thread writer = Thread.ofVirtual().start(() -> {
                    while (!stop.get()) {
                        try {
                            if (p.post("/v1/chat/completions", agent, chat).statusCode() == 200) {
                                acknowledged.incrementAndGet();
                            }
                        } catch (Exception e) {
                            return;
                        }
                    }
                });
                Thread.sleep(200);
                before = acknowledged.get();
                assertThat(p.post("/admin/backups/run", p.adminKey(), "{\"target\":\"local\"}").statusCode()).isEqualTo(202);
                JsonNode local = waitForRun(p, "local");
                assertThat(local.path("last_result").asString()).as(local.toString()).isEqualTo("ok");
                assertThat(local.path("bytes").asLong()).isPositive();
                assertThat(p.post("/admin/backups/run", p.adminKey(), "{\"target\":\"offsite\"}").statusCode()).isEqualTo(202);
                JsonNode offsite = waitForRun(p, "offsite");
                assertThat(offsite.path("last_result").asString()).as(offsite.toString()).isEqualTo("ok");
                stop.set(true);
                writer.join();
                assertThat(acknowledged.get()).as("requests went on during the backups").isGreaterThan(before);
                assertThat(p.post("/admin/backups/run", p.adminKey(), "{\"target\":\"nowhere\"}").statusCode()).isEqualTo(400);

                String metrics = p.get("/metrics", p.adminKey()).body();
                assertThat(metrics).containsPattern("cervella_backup_last_success_timestamp_seconds\\{target=\"local\"} [1-9]")
                        .containsPattern("cervella_backup_runs_total\\{result=\"ok\",target=\"offsite\"} 1")
                        .contains("cervella_backup_late{target=\"local\"} 0");
                Cli viaServer = cli("backup", "run", "--server", p.baseUrl(), "--key", p.adminKey(), "--cacert", p.caFile().toString(),
                        "--target", "local");
                assertThat(viaServer.exit()).as(viaServer.out()).isZero();
                assertThat(viaServer.out()).containsPattern("snapshot [0-9a-f]{8} saved to local");
                JsonNode drill = RunningPlatform.json(p.post("/admin/backups/drill", p.adminKey(), "{}"));
                assertThat(drill.path("result").asString()).as(drill.toString()).isEqualTo("ok");
            }

            // restore on "a fresh machine": the repository named on the command line, the key from a config
            Path restoreConfig = dir.resolve("restore.yaml");
            Files.writeString(restoreConfig, "backup:\n  unlock:\n    key_file: " + keyFile + "\n");
            Path restored = dir.resolve("restored");
            Cli list = cli("backup", "list", "--repo", repo.toString(), "--config", restoreConfig.toString());
            assertThat(list.exit()).as(list.out()).isZero();
            assertThat(list.out()).contains("ID").contains("api");
            Cli verify = cli("backup", "verify", "--read-data", "100%", "--repo", repo.toString(), "--config", restoreConfig.toString());
            assertThat(verify.exit()).as(verify.out()).isZero();
            assertThat(verify.out()).contains("no problems");
            Cli restore = cli("restore", "--snapshot", "latest", "--data", restored.toString(), "--repo", repo.toString(),
                    "--config", restoreConfig.toString());
            assertThat(restore.exit()).as(restore.out()).isZero();
            assertThat(restore.out()).contains("start it: cervella serve --data " + restored);
            assertThat(restored.resolve("memory")).as("indexes are not backed up").doesNotExist();

            try (RunningPlatform again = RunningPlatform.start(restored, yaml, env)) {
                assertThat(again.get("/v1/models", agent).statusCode()).as("the key works").isEqualTo(200);
                JsonNode usage = RunningPlatform.json(again.get("/admin/usage?by=key&since=1h", again.adminKey())).path("data");
                long requests = 0;
                for (JsonNode r : usage) {
                    if (r.path("group").asString().equals(agent.substring(3, 15))) {
                        requests = r.path("requests").asLong();
                    }
                }
                assertThat(requests).as("every request acknowledged before the snapshot").isBetween((long) before, (long) acknowledged.get());
                JsonNode versions = RunningPlatform.json(again.get("/vault/versions?path=decisioni.md", agent)).path("versions");
                assertThat(versions).hasSize(2);
                Path other = Files.createDirectories(dir.resolve("desktop"));
                new DeviceSync(other, new VaultClient(again.baseUrl(), agent, again.sslContext()), SyncProgress.NONE, false).run();
                assertThat(Files.readString(other.resolve("decisioni.md"))).isEqualTo("usare Hetzner e RunPod\n");
                JsonNode doc = RunningPlatform.json(again.get("/memory/collections/sncp/documents?id=stato.md", agent));
                assertThat(doc.toString()).contains("Francoforte");
                JsonNode found = RunningPlatform.json(again.post("/memory/collections/sncp/search", agent, "{\"query\":\"backup Francoforte\"}"));
                assertThat(found.toString()).as("the index rebuilt at start").contains("stato.md");
                JsonNode check = RunningPlatform.json(again.post("/vault/check", again.adminKey(), ""));
                assertThat(check.path("clean").asBoolean()).as(check.toString()).isTrue();
                assertThat(check.path("commits").asLong()).isEqualTo(2);
            }

            // the bucket's copy too
            try (S3BlobStore bucket = new S3BlobStore(s3.getUri(), "us-east-1", "backups", "eu-west/cervella", s3.getAccessKey(), s3.getSecretKey())) {
                BackupRepository r = BackupRepository.open(bucket, Unlock.RawKey.parse(Files.readString(keyFile, StandardCharsets.US_ASCII)));
                assertThat(new Verifier(r, Progress.NONE).verify(100).problems()).isEmpty();
                Path fromBucket = dir.resolve("from-bucket");
                new Restorer(r, Progress.NONE).restore(Snapshots.find(r, "latest"), fromBucket);
                assertThat(fromBucket.resolve("cervella.db")).isNotEmptyFile();
                assertThat(fromBucket.resolve("tls/ca.pem")).isNotEmptyFile();
                assertThat(fromBucket.resolve("vault/config")).isNotEmptyFile();
                assertThat(fromBucket.resolve("admin.key")).isNotEmptyFile();
            }
        }
    }
}
