package io.cervella.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.backup.forget.Forgetter;
import io.cervella.backup.forget.KeepPolicy;
import io.cervella.backup.pack.PackBuilder;
import io.cervella.backup.prune.Pruner;
import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.restore.Restorer;
import io.cervella.backup.run.BackupRunner;
import io.cervella.backup.run.Progress;
import io.cervella.backup.snapshot.Snapshot;
import io.cervella.backup.snapshot.Snapshots;
import io.cervella.backup.source.DirectorySource;
import io.cervella.backup.source.Source;
import io.cervella.backup.verify.Verifier;
import io.cervella.core.blob.BlobStore;
import io.cervella.core.blob.LocalBlobStore;
import io.cervella.core.blob.S3BlobStore;
import io.cervella.core.crypto.KeySlot;
import io.cervella.core.crypto.Unlock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** Backups into a local folder and into a real S3 API (S3Proxy in-process), restored and checked byte for byte. */
class BackupRoundTripTest {
    @RegisterExtension
    final S3ProxyExtension s3 = S3ProxyExtension.builder().withCredentials("access", "secret-key").build();
    @TempDir Path tmp;

    private static final Unlock PASSWORD = new Unlock.Passphrase("a backup password");

    private BlobStore bucket() {
        try (S3Client admin = S3Client.builder().region(Region.US_EAST_1).endpointOverride(s3.getUri()).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.getAccessKey(), s3.getSecretKey())))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            admin.createBucket(b -> b.bucket("backups"));
        }
        return new S3BlobStore(s3.getUri(), "us-east-1", "backups", "eu-west/cervella", s3.getAccessKey(), s3.getSecretKey());
    }

    private Path dataDir() throws Exception {
        Path data = tmp.resolve("data");
        Random random = new Random(7);
        for (int i = 0; i < 40; i++) {
            Path f = data.resolve("vault/packs/" + (i % 4) + "/blob-" + i);
            Files.createDirectories(f.getParent());
            byte[] b = new byte[i == 0 ? 3 << 20 : 1000 + random.nextInt(50_000)];
            random.nextBytes(b);
            Files.write(f, b);
        }
        Files.createDirectories(data.resolve("tls"));
        Files.writeString(data.resolve("tls/ca.pem"), "-----BEGIN CERTIFICATE-----\nMARKER\n");
        Files.writeString(data.resolve("admin.key"), "ck_secret\n");
        return data;
    }

    private static List<Source> sources(Path data) {
        return List.of(new DirectorySource("config", data, List.of("admin.key", "cervella.yaml")),
                new DirectorySource("tls", data, List.of("tls")), new DirectorySource("vault", data, List.of("vault")));
    }

    private static TreeMap<String, String> contents(Path dir) throws Exception {
        TreeMap<String, String> out = new TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), PackBuilder.sha256(Files.readAllBytes(p)));
            }
        }
        return out;
    }

    private void roundTrip(BlobStore store) throws Exception {
        Path data = dataDir();
        BackupRepository repo = BackupRepository.create(store, PASSWORD);
        Snapshot first = new BackupRunner(repo, "node-1", Progress.NONE).run(sources(data), List.of("test"));
        assertThat(first.summary().files()).isEqualTo(42);
        assertThat(first.summary().newBlobs()).isGreaterThanOrEqualTo(42);

        // one file changed, one added: the second run stores little
        Files.writeString(data.resolve("admin.key"), "ck_other\n");
        Files.write(data.resolve("vault/packs/0/new"), "new blob".getBytes(StandardCharsets.UTF_8));
        Snapshot second = new BackupRunner(repo, "node-1", Progress.NONE).run(sources(data), List.of());
        assertThat(second.summary().newBlobs()).isBetween(2L, 4L); // two files, and the trees that list them
        assertThat(second.parent()).isEqualTo(first.id());

        BackupRepository reopened = BackupRepository.open(store, PASSWORD);
        assertThat(Snapshots.list(reopened)).extracting(Snapshot::id).containsExactly(first.id(), second.id());
        Verifier.Report report = new Verifier(reopened, Progress.NONE).verify(100);
        assertThat(report.problems()).isEmpty();
        assertThat(report.packsRead()).isEqualTo(report.packs());

        Path restored = tmp.resolve("restored");
        new Restorer(reopened, Progress.NONE).restore(Snapshots.find(reopened, second.id().substring(0, 8)), restored);
        assertThat(contents(restored)).isEqualTo(contents(data));
        assertThatThrownBy(() -> new Restorer(reopened, Progress.NONE).restore(second, restored))
                .hasMessageContaining("not empty");

        // forget the first; prune keeps all the second needs
        assertThat(new Forgetter(reopened, "node-1").forget(new KeepPolicy(1, 0, 0, 0), ZoneOffset.UTC))
                .extracting(Snapshot::id).containsExactly(first.id());
        Pruner.Result pruned = new Pruner(reopened, "node-1").prune();
        assertThat(pruned.bytesFreed()).isPositive();
        assertThat(new Verifier(reopened, Progress.NONE).verify(100).problems()).isEmpty();
        Path again = tmp.resolve("again");
        new Restorer(reopened, Progress.NONE).restore(Snapshots.find(reopened, "latest"), again);
        assertThat(contents(again)).isEqualTo(contents(data));
    }

    @Test
    void aLocalFolderRepositoryRoundTrips() throws Exception {
        roundTrip(new LocalBlobStore(tmp.resolve("repo")));
    }

    @Test
    void anS3RepositoryRoundTrips() throws Exception {
        try (BlobStore store = bucket()) {
            roundTrip(store);
        }
    }

    @Test
    void nothingInTheRepositoryIsReadableWithoutTheKey() throws Exception {
        Path data = dataDir();
        LocalBlobStore store = new LocalBlobStore(tmp.resolve("repo"));
        BackupRepository repo = BackupRepository.create(store, PASSWORD);
        new BackupRunner(repo, "node-1", Progress.NONE).run(sources(data), List.of());
        try (var walk = Files.walk(tmp.resolve("repo"))) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                assertThat(text).as(p.toString()).doesNotContain("MARKER").doesNotContain("ck_secret").doesNotContain("blob-1");
            }
        }
        assertThatThrownBy(() -> BackupRepository.open(store, new Unlock.Passphrase("wrong")))
                .isInstanceOf(KeySlot.WrongKeyException.class).hasMessageContaining("wrong passphrase or key for this backup repository");
    }
}
