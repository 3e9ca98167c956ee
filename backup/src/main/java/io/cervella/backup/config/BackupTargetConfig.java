package io.cervella.backup.config;

import io.cervella.core.config.BlobStoreConfig;
import io.cervella.core.config.ConfigException;

/**
 * One entry of {@code backup.targets}: a name, where the repository lives ({@code store}: a folder or
 * an S3-compatible bucket, as {@code vault.store}), when it is backed up and how many snapshots stay.
 */
public record BackupTargetConfig(String name, BlobStoreConfig store, String schedule, KeepConfig keep) {
    public BackupTargetConfig {
        ConfigException.check(name != null && name.matches("[a-z0-9][a-z0-9_-]{0,31}"), "name",
                "is 1 to 32 of a-z, 0-9, '-', '_', was '" + name + "'");
        ConfigException.check(store != null, "store", "is required (type: local with a path, or type: s3 with a bucket)");
        ConfigException.check(!store.type().equals("local") || store.path() != null, "store.path", "is required for a local target");
        Schedule.parse(schedule, "schedule"); // refused now, not at the first run
        keep = keep == null ? new KeepConfig(null, null, null, null) : keep;
    }

    public Schedule parsedSchedule() {
        return Schedule.parse(schedule, "backup.targets." + name + ".schedule");
    }
}
