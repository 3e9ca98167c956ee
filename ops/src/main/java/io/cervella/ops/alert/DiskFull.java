package io.cervella.ops.alert;

import io.cervella.ops.facts.PlatformFacts.DiskFact;
import java.util.List;
import java.util.Locale;

/** disk_full: the disk of the data directory is at least {@code usedShare} full. */
public record DiskFull(double usedShare) implements RuleCheck {
    @Override
    public List<Finding> check(RuleInputs in) {
        DiskFact disk = in.facts().disk();
        if (disk == null || disk.totalBytes() <= 0 || disk.usedShare() < usedShare) {
            return List.of();
        }
        return List.of(new Finding(disk.path(), String.format(Locale.ROOT,
                "the disk of %s is %.1f%% full (%.1f GiB free of %.1f GiB)", disk.path(), disk.usedShare() * 100,
                disk.usableBytes() / GIB, disk.totalBytes() / GIB)));
    }

    private static final double GIB = 1024.0 * 1024 * 1024;
}
