package io.cervella.backup.config;

import io.cervella.core.config.ConfigException;
import io.cervella.core.config.UnlockConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code backup:} section (docs/configuration.md, Backups): the targets, the secret that opens
 * their repositories ({@code unlock}, default variable CERVELLA_BACKUP_PASSPHRASE), and the restore
 * drill's schedule ({@code drill}: restore the latest snapshot of {@code drill_target} into a scratch
 * folder and check it).
 */
public record BackupConfig(UnlockConfig unlock, List<BackupTargetConfig> targets, String drill, String drillTarget) {
    public static final String PASSPHRASE_ENV = "CERVELLA_BACKUP_PASSPHRASE";

    public BackupConfig {
        unlock = unlock == null ? UnlockConfig.defaults() : unlock;
        targets = targets == null ? List.of() : List.copyOf(targets);
        Set<String> names = new HashSet<>();
        for (BackupTargetConfig t : targets) {
            ConfigException.check(names.add(t.name()), "targets", "name '" + t.name() + "' twice");
        }
        Schedule.parse(drill, "drill");
        if (drillTarget != null) {
            ConfigException.check(names.contains(drillTarget), "drill_target", "is not one of the targets: '" + drillTarget + "'");
        }
    }

    public static BackupConfig defaults() {
        return new BackupConfig(null, null, null, null);
    }

    public BackupTargetConfig target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no backup target '" + name + "' in the config (backup.targets: "
                        + targets.stream().map(BackupTargetConfig::name).toList() + ")"));
    }
}
