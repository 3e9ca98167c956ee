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
public final class RepositoryLock implements AutoCloseable {
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
                // stale: not refreshed for 30 minutes, or taken on this host by a process that is gone (kill -9)
                boolean stale = at.plus(STALE).isBefore(Instant.now()) || lock.path("host").asString("").equals(host)
                        && ProcessHandle.of(lock.path("pid").asLong()).map(ph -> !ph.isAlive()).orElse(true);
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

    private static byte[] seal(BackupRepository repo, boolean exclusive, String host) {
        ObjectNode o = Json.object();
        o.put("time", System.currentTimeMillis());
        o.put("host", host);
        o.put("pid", ProcessHandle.current().pid());
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

    @Override
    public void close() throws IOException {
        released = true;
        refresher.interrupt();
        repo.store().delete(name);
    }
}
