package io.cervella.core.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 blob store against S3Proxy, a real S3 API server started in this JVM. */
class S3BlobStoreTest {
    @RegisterExtension
    final S3ProxyExtension s3 = S3ProxyExtension.builder().withCredentials("access", "secret-key").build();

    private S3BlobStore store(String prefix) {
        try (S3Client admin = S3Client.builder().region(Region.US_EAST_1).endpointOverride(s3.getUri()).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.getAccessKey(), s3.getSecretKey())))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            if (admin.listBuckets().buckets().stream().noneMatch(b -> b.name().equals("vault"))) {
                admin.createBucket(b -> b.bucket("vault"));
            }
        }
        return new S3BlobStore(s3.getUri(), "us-east-1", "vault", prefix, s3.getAccessKey(), s3.getSecretKey());
    }

    @Test
    void blobsAreWrittenReadListedAndDeletedUnderThePrefix() throws Exception {
        try (S3BlobStore a = store("team-a"); S3BlobStore b = store("team-b/")) {
            a.put("config", "{}".getBytes(StandardCharsets.UTF_8));
            a.put("packs/ab/ab12", "0123456789".getBytes(StandardCharsets.UTF_8));
            a.put("packs/cd/cd34", new byte[] {1});
            b.put("config", "[]".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(a.get("config").orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("{}");
            assertThat(new String(b.get("config").orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("[]");
            assertThat(a.get("packs/none")).isEmpty();
            assertThat(a.size("packs/ab/ab12")).isEqualTo(10);
            assertThat(a.size("packs/none")).isEqualTo(-1);
            assertThat(new String(a.get("packs/ab/ab12", 3, 4), StandardCharsets.UTF_8)).isEqualTo("3456");
            assertThatThrownBy(() -> a.get("packs/ab/ab12", 8, 4)).hasMessageContaining("past its end");
            assertThat(a.list("packs/")).containsExactly("packs/ab/ab12", "packs/cd/cd34");
            assertThat(a.list("")).containsExactly("config", "packs/ab/ab12", "packs/cd/cd34");
            assertThat(b.list("")).containsExactly("config");
            assertThat(a.delete("packs/cd/cd34")).isTrue();
            assertThat(a.delete("packs/cd/cd34")).isFalse();
            assertThat(a.list("packs/")).containsExactly("packs/ab/ab12");
            assertThatThrownBy(() -> a.put("../escape", new byte[0])).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aWrongSecretIsAClearError() {
        try (S3BlobStore wrong = new S3BlobStore(s3.getUri(), "us-east-1", "vault", "", s3.getAccessKey(), "not-the-secret")) {
            assertThatThrownBy(() -> wrong.put("config", new byte[1])).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("s3://vault/config");
        }
    }
}
