package io.cervella.backup.config;

import io.cervella.backup.forget.KeepPolicy;
import java.util.Optional;

/** {@code keep}: how many snapshots a target keeps (last, daily, weekly, monthly); absent: all (no forget, no prune). */
public record KeepConfig(Integer last, Integer daily, Integer weekly, Integer monthly) {
    public Optional<KeepPolicy> policy() {
        int l = last == null ? 0 : last;
        int d = daily == null ? 0 : daily;
        int w = weekly == null ? 0 : weekly;
        int m = monthly == null ? 0 : monthly;
        return l + d + w + m == 0 ? Optional.empty() : Optional.of(new KeepPolicy(l, d, w, m));
    }
}
