package io.cervella.core.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Transient failures are tried again with growing waits; wrong credentials fail at once. */
class RetryingBlobStoreTest {
    @RegisterExtension
    final S3ProxyExtension s3 = S3ProxyExtension.builder().withCredentials("access", "secret-key").build();
    @TempDir Path tmp;

    private final List<Duration> waits = new ArrayList<>();

    private RetryingBlobStore retrying(BlobStore inner, java.util.function.Predicate<IOException> t) {
        return new RetryingBlobStore(inner, 6, Duration.ofMillis(500), Duration.ofSeconds(30), t, waits::add);
    }

    @Test
    void anUnreachableBucketIsTriedSixTimesWithBackoffThenAClearFailure() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // nothing listens there once closed
        }
        S3BlobStore unreachable = new S3BlobStore(URI.create("http://127.0.0.1:" + closedPort), "us-east-1", "b", "", "a", "s");
        try (RetryingBlobStore store = retrying(unreachable, S3BlobStore::isTransient)) {
            assertThatThrownBy(() -> store.put("config", new byte[1])).isInstanceOf(IOException.class)
                    .hasMessageContaining("s3://b/config").hasMessageContaining("after 6 tries");
        }
        assertThat(waits).hasSize(5);
        for (int i = 1; i < waits.size(); i++) {
            assertThat(waits.get(i).toMillis()).as("the waits grow").isGreaterThanOrEqualTo(waits.get(i - 1).toMillis() / 2 + 1);
        }
        assertThat(waits.getLast()).isLessThanOrEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void wrongCredentialsAreNotTriedAgain() {
        S3BlobStore wrong = new S3BlobStore(s3.getUri(), "us-east-1", "b", "", s3.getAccessKey(), "not-the-secret");
        try (RetryingBlobStore store = retrying(wrong, S3BlobStore::isTransient)) {
            assertThatThrownBy(() -> store.put("config", new byte[1])).isInstanceOf(IOException.class)
                    .hasMessageNotContaining("tries");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(waits).isEmpty();
    }

    @Test
    void aFlakyStoreSucceedsOnALaterTry() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        LocalBlobStore local = new LocalBlobStore(tmp);
        BlobStore flaky = new BlobStore() {
            public void put(String name, byte[] content) throws IOException {
                if (calls.incrementAndGet() < 3) {
                    throw new IOException("connection reset");
                }
                local.put(name, content);
            }
            public java.util.Optional<byte[]> get(String name) throws IOException { return local.get(name); }
            public byte[] get(String name, long offset, int length) throws IOException { return local.get(name, offset, length); }
            public long size(String name) throws IOException { return local.size(name); }
            public List<String> list(String prefix) throws IOException { return local.list(prefix); }
            public boolean delete(String name) throws IOException { return local.delete(name); }
        };
        try (RetryingBlobStore store = retrying(flaky, e -> e.getMessage().contains("reset"))) {
            store.put("config", new byte[] {42});
            assertThat(store.get("config")).hasValueSatisfying(b -> assertThat(b).containsExactly(42));
        }
        assertThat(calls.get()).isEqualTo(3);
        assertThat(waits).hasSize(2);
    }
}
