package io.cervella.backup.lock;

import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.repo.RepositoryKeys;
import io.cervella.core.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A lock on a repository (docs/formats/backup.md, Write order, crash safety, locks): shared for
 * backups, exclusive for forget and prune. Written, then the others read: two takers that race both
 * see each other and the later one backs off. Refreshed every 5 minutes; stale after 30 without.
 */
public final class RepositoryLock implements HeldLock {
    static final String PREFIX = "locks/";
    public static final Duration REFRESH = Duration.ofMinutes(5);
    public static final Duration STALE = Duration.ofMinutes(30);

    private final BackupRepository repo;
    private final String name;
    private final boolean exclusive;
    private final String host;
    private final Thread refresher;
    private volatile boolean released;

    /** Thrown when another holder's lock stands in the way. */
    public static final class LockedException extends IOException {
        public LockedException(String message) {
            super(message);
        }
    }

    private RepositoryLock(BackupRepository repo, String name, boolean exclusive, String host) {
        this.repo = repo;
        this.name = name;
        this.exclusive = exclusive;
        this.host = host;
        this.refresher = Thread.ofVirtual().name("backup-lock-refresh").start(this::refreshLoop);
    }

    public static RepositoryLock acquire(BackupRepository repo, boolean exclusive, String host) throws IOException {
        byte[] id = new byte[8];
        new SecureRandom().nextBytes(id);
        String name = PREFIX + HexFormat.of().formatHex(id);
        repo.store().put(name, seal(repo, exclusive, host));
        try {
            for (String other : repo.store().list(PREFIX)) {
                if (other.equals(name)) {
                    continue;
                }
                JsonNode lock = read(repo, other);
                if (lock == null) {
                    continue;
                }
                Instant at = Instant.ofEpochMilli(lock.path("time").asLong());
                // stale: not refreshed for 30 minutes, or taken by a process of this very machine (same
                // boot, same process namespace) that is gone (kill -9)
                boolean stale = at.plus(STALE).isBefore(Instant.now()) || holderIsGone(lock, host);
                if (stale) {
                    if (exclusive) {
                        repo.store().delete(other); // its holder is gone
                    }
                    continue;
                }
                if (exclusive || lock.path("exclusive").asBoolean()) {
                    throw new LockedException("the repository is locked" + (lock.path("exclusive").asBoolean() ? " exclusively" : "")
                            + " by " + lock.path("host").asString("?") + " (pid " + lock.path("pid").asLong() + ") since " + at
                            + (exclusive ? "; a backup, forget or prune is running there" : "; a forget or prune is running there"));
                }
            }
        } catch (IOException | RuntimeException e) {
            repo.store().delete(name);
            throw e;
        }
        return new RepositoryLock(repo, name, exclusive, host);
    }

    /** This machine's name, for locks taken without one (a restore, a verify). */
    public static String localHost() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** This machine's boot, and this process's pid namespace: a pid means the same process only where both match. */
    private static final String BOOT_ID = read("/proc/sys/kernel/random/boot_id");
    private static final String PID_NAMESPACE = link("/proc/self/ns/pid");
    private static final long STARTED = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(0L);

    private static String read(String file) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of(file)).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String link(String file) {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of(file)).toString();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Whether a lock's holder was a process of this machine and namespace that no longer runs. */
    static boolean holderIsGone(JsonNode lock, String host) {
        if (BOOT_ID.isEmpty() || PID_NAMESPACE.isEmpty() || !lock.path("host").asString("").equals(host)
                || !lock.path("boot_id").asString("").equals(BOOT_ID) || !lock.path("pid_ns").asString("").equals(PID_NAMESPACE)) {
            return false; // another machine, container or boot: only time tells
        }
        long started = lock.path("started").asLong(0);
        return ProcessHandle.of(lock.path("pid").asLong()).map(ph -> !ph.isAlive() || started != 0
                && ph.info().startInstant().map(Instant::toEpochMilli).map(t -> t != started).orElse(false)).orElse(true);
    }

    /**
     * A shared lock for reading (restore, verify, the drill), or none when the repository cannot be
     * written (read-only credentials, a full or read-only disk): reading must work there too. A lock
     * held exclusively (a prune) is still waited out by failing, as it would change what is read.
     */
    public static HeldLock forReading(BackupRepository repo, String host) throws IOException {
        try {
            return acquire(repo, false, host);
        } catch (LockedException e) {
            throw e;
        } catch (IOException e) {
            return () -> {};
        }
    }

    private static byte[] seal(BackupRepository repo, boolean exclusive, String host) {
        ObjectNode o = Json.object();
        o.put("time", System.currentTimeMillis());
        o.put("host", host);
        o.put("pid", ProcessHandle.current().pid());
        o.put("started", STARTED);
        o.put("boot_id", BOOT_ID);
        o.put("pid_ns", PID_NAMESPACE);
        o.put("exclusive", exclusive);
        return repo.keys().seal("lock", Json.bytes(o));
    }

    private static JsonNode read(BackupRepository repo, String name) throws IOException {
        byte[] sealed = repo.store().get(name).orElse(null);
        if (sealed == null) {
            return null; // released meanwhile
        }
        try {
            return Json.MAPPER.readTree(repo.keys().open("lock", sealed));
        } catch (RepositoryKeys.DamagedException e) {
            return null; // not a lock this repository can read: ignored, as a stale one would be
        }
    }

    private void refreshLoop() {
        while (!released) {
            try {
                Thread.sleep(REFRESH);
                if (!released) {
                    repo.store().put(name, seal(repo, exclusive, host));
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | UncheckedIOException e) {
                // the next refresh tries again; a lock missed for 30 minutes turns stale, which others may take
            }
        }
    }

    /**
     * Throws unless this lock is still in the repository: a holder that was taken for gone (its
     * refreshes failed for 30 minutes) must not write an index or a snapshot a prune may have undone.
     */
    public void verifyHeld() throws IOException {
        if (read(repo, name) == null) {
            throw new LockedException("this process's lock on the repository is gone (taken for stale: no refresh for "
                    + STALE.toMinutes() + " minutes?); stopping before writing anything that would depend on it");
        }
    }

    @Override
    public void close() throws IOException {
        released = true;
        refresher.interrupt();
        try {
            refresher.join(); // a refresh in flight must not write the lock back after it is deleted
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        repo.store().delete(name);
    }
}
