package io.cervella.memory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's indexes following the shared database: every {@code interval} it asks the memory
 * to {@link MemoryService#catchUp() catch up} with writes other nodes made. Never interrupts its thread
 * (an interrupt inside Lucene's file I/O closes the index writer); stopping waits for the pass in hand.
 */
public final class IndexFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IndexFollower.class);

    private final MemoryService memory;
    private final Duration interval;
    private final CountDownLatch stop = new CountDownLatch(1);
    private Thread thread;

    public IndexFollower(MemoryService memory, Duration interval) {
        this.memory = memory;
        this.interval = interval;
    }

    public void start() {
        thread = Thread.ofVirtual().name("memory-follower").start(this::loop);
    }

    private void loop() {
        try {
            while (!stop.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                try {
                    memory.catchUp();
                } catch (RuntimeException e) {
                    LOG.warn("memory: could not catch up with the database: {}", e.getMessage());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop.countDown();
        if (thread != null) {
            thread.join(Duration.ofSeconds(60));
        }
    }
}
