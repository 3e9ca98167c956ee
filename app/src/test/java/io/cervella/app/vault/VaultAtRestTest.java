package io.cervella.app.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.testkit.RunningPlatform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Encryption at rest: files holding a marker (in their content and their names) are synced, then the
 * whole data directory, and the whole bucket of an S3 store (S3Proxy, a real S3 API server in this
 * JVM), are searched for the marker: it is nowhere.
 */
class VaultAtRestTest {
    private static final String MARKER = "MARCATORE-segreto-7f3a9c";

    @RegisterExtension
    final S3ProxyExtension s3 = S3ProxyExtension.builder().withCredentials("access", "secret-key").build();

    @TempDir Path dir;

    private static void writeMarkedFiles(SyncDevice device) throws Exception {
        device.write("notes/" + MARKER + ".md", "# Nota\n\nIl codice è " + MARKER + ".\n");
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            big.append("riga ").append(i).append(' ').append(MARKER).append('\n');
        }
        device.write("diario/lungo.md", big.toString());
    }

    @Test
    void theDataDirectoryHoldsNoMarker() throws Exception {
        Path data = dir.resolve("data");
        try (RunningPlatform platform = RunningPlatform.start(data, "", VaultSyncTest.UNLOCK)) {
            SyncDevice laptop = new SyncDevice(platform, dir, "laptop");
            SyncDevice desktop = new SyncDevice(platform, dir, "desktop");
            writeMarkedFiles(laptop);
            laptop.sync();
            desktop.sync();
            assertThat(desktop.read("notes/" + MARKER + ".md")).contains(MARKER);
            assertThat(platform.get("/vault/files", laptop.key).body()).as("the API shows it to a device").contains(MARKER);
        }
        List<Path> files;
        try (Stream<Path> all = Files.walk(data)) {
            files = all.filter(Files::isRegularFile).toList();
        }
        assertThat(files).anySatisfy(p -> assertThat(p.toString()).contains("/vault/packs/"));
        for (Path f : files) {
            assertThat(f.toString()).doesNotContain(MARKER);
            assertThat(contains(Files.readAllBytes(f), MARKER)).as(f.toString()).isFalse();
        }
    }

    @Test
    void theBucketOfAnS3StoreHoldsNoMarker() throws Exception {
        try (S3Client admin = S3Client.builder().region(Region.US_EAST_1).endpointOverride(s3.getUri()).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.getAccessKey(), s3.getSecretKey())))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            admin.createBucket(b -> b.bucket("team-vault"));
            String yaml = """
                    vault:
                      store:
                        type: s3
                        endpoint: %s
                        bucket: team-vault
                        prefix: cervella
                    """.formatted(s3.getUri());
            Map<String, String> env = new HashMap<>(VaultSyncTest.UNLOCK);
            env.put("CERVELLA_S3_ACCESS_KEY", s3.getAccessKey());
            env.put("CERVELLA_S3_SECRET_KEY", s3.getSecretKey());
            Path data = dir.resolve("data");
            try (RunningPlatform platform = RunningPlatform.start(data, yaml, env)) {
                SyncDevice laptop = new SyncDevice(platform, dir, "laptop");
                SyncDevice desktop = new SyncDevice(platform, dir, "desktop");
                writeMarkedFiles(laptop);
                laptop.sync();
                desktop.sync();
                assertThat(desktop.files()).isEqualTo(laptop.files());
                assertThat(RunningPlatform.json(platform.post("/vault/check", platform.adminKey(), "{}")).path("clean").asBoolean()).isTrue();
            }
            assertThat(data.resolve("vault")).as("nothing went to the local folder").doesNotExist();
            List<String> keys = new ArrayList<>();
            for (S3Object o : admin.listObjectsV2Paginator(b -> b.bucket("team-vault")).contents()) {
                keys.add(o.key());
                ResponseBytes<?> bytes = admin.getObjectAsBytes(b -> b.bucket("team-vault").key(o.key()));
                assertThat(o.key()).doesNotContain(MARKER);
                assertThat(contains(bytes.asByteArray(), MARKER)).as(o.key()).isFalse();
            }
            assertThat(keys).contains("cervella/config").anyMatch(k -> k.startsWith("cervella/packs/"))
                    .anyMatch(k -> k.startsWith("cervella/manifests/"));
            // and the server's database beside it holds no marker either
            try (Stream<Path> all = Files.walk(data)) {
                for (Path f : all.filter(Files::isRegularFile).toList()) {
                    assertThat(contains(Files.readAllBytes(f), MARKER)).as(f.toString()).isFalse();
                }
            }
        }
    }

    static boolean contains(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
