package io.cervella.memory.ingest;

import io.cervella.memory.MemoryService;
import io.cervella.memory.config.FolderConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the folders of {@code memory.folders} mirrored into their collections while the server runs:
 * one virtual thread per folder, a pass at start and then every {@code scan_interval_seconds}. A pass
 * that fails (folder missing, model down) is logged and tried again at the next interval. Stopping
 * never interrupts a thread (an interrupt inside Lucene's file I/O closes the index writer): a pass
 * stops between two files.
 */
public final class FolderSync implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FolderSync.class);

    private final MemoryService memory;
    private final List<FolderConfig> folders;
    private final List<Thread> threads = new ArrayList<>();
    private final java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);

    public FolderSync(MemoryService memory, List<FolderConfig> folders) {
        this.memory = memory;
        this.folders = folders;
    }

    public void start() {
        for (FolderConfig f : folders) {
            threads.add(Thread.ofVirtual().name("memory-folder-" + f.collection()).start(() -> loop(f)));
        }
    }

    private void loop(FolderConfig f) {
        Duration interval = Duration.ofMillis((long) (f.scanIntervalSeconds() * 1000));
        try {
            do {
                passOnce(f);
            } while (!stop.await(interval.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One pass over one folder; a failure is logged, and the next pass tries again. */
    private void passOnce(FolderConfig f) {
        try {
            FolderIngest.Result r = FolderIngest.mirror(memory, Path.of(f.path()), f.collection(), f.model(), (d, t, id) -> {
                if (stop.getCount() == 0) {
                    throw new java.util.concurrent.CancellationException("stopping");
                }
            });
            if (r.changed() > 0 || r.removed() > 0) {
                LOG.info("memory: {} -> {}: {} files, {} new or changed, {} removed", f.path(), f.collection(), r.files(),
                        r.changed(), r.removed());
            }
            for (String s : r.skipped()) {
                LOG.warn("memory: {} -> {}: skipped {}", f.path(), f.collection(), s);
            }
        } catch (java.util.concurrent.CancellationException e) {
            // stopping between two files
        } catch (Exception e) {
            LOG.warn("memory: could not mirror {} into {}: {}", f.path(), f.collection(), e.getMessage());
        }
    }

    @Override
    public void close() {
        stop.countDown();
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
