package io.cervella.core.blob;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A blob store whose calls are tried again on transient failures, with exponential backoff and
 * jitter (docs/formats/backup.md, Targets: 0.5 s doubling to 30 s, at most 6 tries a call). A failure
 * that is not transient (wrong credentials) or that outlasts the tries is thrown at once, naming the tries.
 */
public final class RetryingBlobStore implements BlobStore {
    /** Waits between tries; tests pass one that records instead of sleeping. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final BlobStore inner;
    private final int tries;
    private final Duration first;
    private final Duration max;
    private final Predicate<IOException> isTransient;
    private final Sleeper sleeper;

    public RetryingBlobStore(BlobStore inner, int tries, Duration first, Duration max, Predicate<IOException> isTransient, Sleeper sleeper) {
        this.inner = inner;
        this.tries = tries;
        this.first = first;
        this.max = max;
        this.isTransient = isTransient;
        this.sleeper = sleeper;
    }

    /** The backup targets' policy: 6 tries, 0.5 s to 30 s. */
    public static BlobStore forTargets(BlobStore inner) {
        Predicate<IOException> t = inner instanceof S3BlobStore ? S3BlobStore::isTransient : e -> false;
        return new RetryingBlobStore(inner, 6, Duration.ofMillis(500), Duration.ofSeconds(30), t, d -> Thread.sleep(d));
    }

    private interface Call<T> {
        T run() throws IOException;
    }

    private <T> T retry(Call<T> call) throws IOException {
        Duration wait = first;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (IOException e) {
                if (!isTransient.test(e) || attempt >= tries) {
                    if (attempt > 1) {
                        throw new IOException(e.getMessage() + " (after " + attempt + " tries)", e);
                    }
                    throw e;
                }
            }
            try {
                long jittered = wait.toMillis() / 2 + (long) (Math.random() * (wait.toMillis() / 2 + 1));
                sleeper.sleep(Duration.ofMillis(jittered));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting to try again", ie);
            }
            wait = wait.multipliedBy(2).compareTo(max) > 0 ? max : wait.multipliedBy(2);
        }
    }

    @Override
    public void put(String name, byte[] content) throws IOException {
        retry(() -> {
            inner.put(name, content);
            return null;
        });
    }

    @Override
    public Optional<byte[]> get(String name) throws IOException {
        return retry(() -> inner.get(name));
    }

    @Override
    public byte[] get(String name, long offset, int length) throws IOException {
        return retry(() -> inner.get(name, offset, length));
    }

    @Override
    public long size(String name) throws IOException {
        return retry(() -> inner.size(name));
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        return retry(() -> inner.list(prefix));
    }

    @Override
    public boolean delete(String name) throws IOException {
        return retry(() -> inner.delete(name));
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
