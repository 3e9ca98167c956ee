package io.cervella.backup.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.backup.config.BackupConfig;
import io.cervella.backup.config.BackupTargetConfig;
import io.cervella.backup.config.KeepConfig;
import io.cervella.backup.source.DirectorySource;
import io.cervella.backup.source.Source;
import io.cervella.core.config.BlobStoreConfig;
import io.cervella.core.config.UnlockConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schedule, late targets, keep policies and the drill, on a clock the test moves. */
class BackupServiceTest {
    @TempDir Path tmp;

    /** A clock that stands still until moved. */
    private static final class MovingClock extends Clock {
        Instant now = Instant.parse("2026-11-26T10:00:00Z");

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }

        void advance(Duration d) { now = now.plus(d); }
    }

    private BackupService service(MovingClock clock, SimpleMeterRegistry registry, Path unwritable) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("admin.key"), "ck_test\n");
        BackupConfig config = new BackupConfig(new UnlockConfig("TEST_PASSPHRASE", null, null), List.of(
                new BackupTargetConfig("local", BlobStoreConfig.folder(tmp.resolve("repo")), "every 30m", new KeepConfig(2, null, null, null)),
                new BackupTargetConfig("broken", BlobStoreConfig.folder(unwritable), "hourly", null)), "daily", "local");
        PlatformSources sources = new PlatformSources() {
            @Override
            public List<Source> open() {
                return List.of(new DirectorySource("config", data, List.of("admin.key")));
            }

            @Override
            public AutoCloseable holdMaintenance() {
                return () -> {};
            }
        };
        return new BackupService(config, data, Map.of("TEST_PASSPHRASE", "a passphrase")::get, sources, registry, clock, "node-1");
    }

    private static TargetStatus status(BackupService s, String target) {
        return s.status().stream().filter(t -> t.target().equals(target)).findFirst().orElseThrow();
    }

    @Test
    void dueTargetsRunKeepPoliciesApplyFailuresRetryAndLateTargetsShow() throws Exception {
        Path unwritable = Files.createFile(tmp.resolve("a-file-not-a-folder"));
        MovingClock clock = new MovingClock();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BackupService s = service(clock, registry, unwritable.resolve("repo"));

        s.tick(); // never run: both due now
        assertThat(status(s, "local").lastResult()).isEqualTo("ok");
        assertThat(status(s, "broken").lastResult()).isEqualTo("failed");
        assertThat(status(s, "broken").lastError()).isNotBlank();
        assertThat(status(s, "local").nextRun()).isEqualTo(clock.now.plus(Duration.ofMinutes(30)));
        String first = status(s, "local").lastSnapshot();

        clock.advance(Duration.ofMinutes(10));
        s.tick(); // local not due; broken failed 10 minutes ago: tried again (5 minutes between tries)
        assertThat(status(s, "local").lastSnapshot()).isEqualTo(first);
        assertThat(registry.get("cervella_backup_runs_total").tag("target", "broken").tag("result", "failed").counter().count()).isEqualTo(2);

        for (int i = 0; i < 3; i++) { // three more runs of local: keep last 2
            clock.advance(Duration.ofMinutes(31));
            s.tick();
        }
        assertThat(registry.get("cervella_backup_runs_total").tag("target", "local").tag("result", "ok").counter().count()).isEqualTo(4);
        var repo = s.repository(new BackupTargetConfig("local", BlobStoreConfig.folder(tmp.resolve("repo")), null, null), false);
        assertThat(io.cervella.backup.snapshot.Snapshots.list(repo)).hasSize(2);

        // broken has had no success for more than twice its hour: late, in the status and the metrics
        assertThat(status(s, "broken").late()).as("1 h 43 min: not yet").isFalse();
        clock.advance(Duration.ofMinutes(20));
        s.tick();
        assertThat(status(s, "broken").late()).isTrue();
        assertThat(registry.get("cervella_backup_late").tag("target", "broken").gauge().value()).isEqualTo(1);
        assertThat(registry.get("cervella_backup_late").tag("target", "local").gauge().value()).isEqualTo(0);
        assertThat(registry.get("cervella_backup_last_success_timestamp_seconds").tag("target", "local").gauge().value())
                .isEqualTo(clock.now.minus(Duration.ofMinutes(20)).getEpochSecond()); // the last run of local, 20 minutes ago

        // the drill: a day after the start, it restores the latest snapshot of local and checks it
        assertThat(s.drillStatus().lastResult()).isEqualTo("never");
        clock.advance(Duration.ofHours(22));
        s.tick();
        assertThat(s.drillStatus().lastResult()).as(String.valueOf(s.drillStatus().lastError())).isEqualTo("ok");
        assertThat(registry.get("cervella_backup_drill_failed").gauge().value()).isEqualTo(0);
        assertThat(tmp.resolve("data/backups")).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith(".drill"));
    }

    @Test
    void afterARestartTheScheduleGoesOnFromTheLatestSnapshot() throws Exception {
        MovingClock clock = new MovingClock();
        Path unwritable = Files.createFile(tmp.resolve("x"));
        BackupService first = service(clock, new SimpleMeterRegistry(), unwritable.resolve("repo"));
        first.tick();
        String snapshot = status(first, "local").lastSnapshot();

        clock.advance(Duration.ofMinutes(5));
        BackupService restarted = service(clock, new SimpleMeterRegistry(), unwritable.resolve("repo"));
        restarted.tick();
        assertThat(status(restarted, "local").lastRun()).as("not due: the last snapshot is 5 minutes old").isNull();
        assertThat(status(restarted, "local").lastSuccess()).isEqualTo(Instant.parse("2026-11-26T10:00:00Z"));
        assertThat(snapshot).isNotNull();
    }
}
