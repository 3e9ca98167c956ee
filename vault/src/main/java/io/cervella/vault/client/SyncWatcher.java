package io.cervella.vault.client;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * {@code --watch}: a sync run whenever the folder changes (file system events, settled for a moment
 * so that a save in several writes is one run) or the vault does (a long poll on the server's changes:
 * another device's edit arrives within a second). Runs never overlap; a failed run (the server away)
 * is retried with a growing pause.
 */
public final class SyncWatcher implements AutoCloseable {
    private final DeviceSync sync;
    private final VaultClient client;
    private final Duration settle;
    private final Semaphore wake = new Semaphore(0);
    /** Set by a local change: the run waits for the folder to settle. A change in the vault needs no wait. */
    private final java.util.concurrent.atomic.AtomicBoolean localChange = new java.util.concurrent.atomic.AtomicBoolean();
    private final WatchService watcher;
    private volatile boolean closed;
    private volatile long seq;

    public SyncWatcher(DeviceSync sync, VaultClient client, Duration settle) throws IOException {
        this.sync = sync;
        this.client = client;
        this.settle = settle;
        this.watcher = FileSystems.getDefault().newWatchService();
    }

    /** Runs until closed (or interrupted), telling {@code onRun} each report and {@code onError} each failure. */
    public void run(Consumer<SyncReport> onRun, Consumer<Exception> onError) throws InterruptedException {
        registerAll(sync.root());
        Thread.ofVirtual().name("vault-watch-files").start(this::watchFiles);
        Thread.ofVirtual().name("vault-watch-server").start(() -> watchServer(onError));
        long pause = 1_000;
        // the first run scans the folder whatever woke it, and so does one after a failure; later, a run
        // that only another device's change woke goes straight to the pull: a scan of every file's size
        // and time is most of the latency between the two devices
        boolean scan = true;
        wake.release();
        while (!closed) {
            wake.acquire();
            if (localChange.get()) {
                Thread.sleep(settle.toMillis()); // a save in several writes becomes one run
            }
            // permits first, then the flag: a change after this point wakes the next run, one before it is this run's
            wake.drainPermits();
            if (localChange.getAndSet(false)) {
                scan = true;
            }
            try {
                SyncReport r = scan ? sync.run() : sync.pullOnly();
                scan = false;
                seq = r.seq();
                onRun.accept(r);
                pause = 1_000;
            } catch (IOException | RuntimeException e) {
                scan = true;
                onError.accept(e);
                if (e instanceof DeviceSync.MassDeleteException) {
                    continue; // waits for the person (a file back, or a run with --allow-mass-delete)
                }
                Thread.sleep(pause);
                pause = Math.min(30_000, pause * 2);
                wake.release();
            }
        }
    }

    private void registerAll(Path root) {
        try (Stream<Path> dirs = Files.walk(root)) {
            dirs.filter(d -> Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS))
                    .filter(d -> !root.relativize(d).startsWith(LocalFiles.OWN_FOLDER))
                    .forEach(this::register);
        } catch (IOException | java.io.UncheckedIOException e) {
            // a folder vanished while walking: its parent's event brings a rescan
        }
    }

    private void register(Path dir) {
        try {
            dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            // gone already
        }
    }

    private void watchFiles() {
        Path own = sync.root().resolve(LocalFiles.OWN_FOLDER);
        try {
            while (!closed) {
                WatchKey key = watcher.take();
                Path dir = (Path) key.watchable();
                boolean relevant = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        relevant = true;
                        continue;
                    }
                    Path child = dir.resolve((Path) event.context());
                    if (child.startsWith(own)) {
                        continue; // the client's own state and temporary files
                    }
                    relevant = true;
                    if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                        registerAll(child);
                    }
                }
                key.reset();
                if (relevant) {
                    localChange.set(true);
                    wake.release();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    private void watchServer(Consumer<Exception> onError) {
        while (!closed) {
            try {
                JsonNode page = client.changes(seq, 30, 1);
                long head = page.path("head").asLong();
                if (head > seq) {
                    wake.release();
                    // the run that follows moves seq on; until then, do not ask again at once
                    for (int i = 0; i < 50 && seq < head && !closed; i++) {
                        Thread.sleep(20);
                    }
                }
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException ie) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        wake.release();
        watcher.close();
    }
}
