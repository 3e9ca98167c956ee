package io.cervella.edge.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls some files (modification time, size and identity, following links, so a replaced symlink
 * counts) and calls back once they changed and then stayed the same for one more poll: a file caught
 * half-written is then usually whole by the time it is read.
 */
final class FileChangeWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileChangeWatcher.class);

    /** What a poll sees of one file; a missing file is all nulls. */
    private record Stamp(Long modifiedNanos, Long size, Object identity) {}

    private final Duration interval;
    private final Runnable onChange;
    private List<Path> files = List.of();
    private List<Stamp> seen = List.of();
    private List<Stamp> pending;
    private Thread thread;

    FileChangeWatcher(Duration interval, Runnable onChange) {
        this.interval = interval;
        this.onChange = onChange;
    }

    /** Watches these files from now on, taking their present state as seen. */
    synchronized void watch(List<Path> next) {
        files = List.copyOf(next);
        seen = stamps(files);
        pending = null;
    }

    synchronized void start() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("tls-file-watcher").start(this::run);
        }
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            if (settledChange()) {
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    LOG.warn("reacting to a file change failed: {}", e.toString());
                }
            }
        }
    }

    /** True when the files differ from what was seen and look the same as at the previous poll. */
    private synchronized boolean settledChange() {
        List<Stamp> now = stamps(files);
        if (now.equals(seen)) {
            pending = null;
            return false;
        }
        if (now.equals(pending)) {
            seen = now;
            pending = null;
            return true;
        }
        pending = now;
        return false;
    }

    private static List<Stamp> stamps(List<Path> files) {
        List<Stamp> out = new ArrayList<>(files.size());
        for (Path f : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                out.add(new Stamp(a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), a.size(), a.fileKey()));
            } catch (IOException e) {
                out.add(new Stamp(null, null, null));
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (thread != null) {
            thread.interrupt();
            thread = null;
        }
    }
}
