package io.cervella.vault.retention;

import io.cervella.vault.index.VaultIndex;
import io.cervella.vault.tree.VaultPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which versions retention drops (docs/formats/vault.md, Retention and prune). Pure: the caller reads
 * the versions and the commits' times, and carries the decision out.
 *
 * @param keepFor      a version replaced less than this long ago is kept; a tombstone, this long after it
 * @param keepVersions the last this many versions of a path are kept whatever their age
 */
public record RetentionPolicy(Duration keepFor, int keepVersions) {
    public RetentionPolicy {
        if (keepVersions < 1) {
            throw new IllegalArgumentException("at least the current version is kept");
        }
    }

    /** What to drop, and how many paths are forgotten entirely (an old tombstone and all before it). */
    public record Decision(List<VaultIndex.Versioned> drop, int pathsForgotten) {}

    /** @param all every version, in commit order; @param committedAt each commit's time (ms) */
    public Decision decide(List<VaultIndex.Versioned> all, Map<Long, Long> committedAt, Instant now) {
        long horizon = now.minus(keepFor).toEpochMilli();
        Map<VaultPath, List<VaultIndex.Versioned>> byPath = new LinkedHashMap<>();
        for (VaultIndex.Versioned v : all) {
            byPath.computeIfAbsent(v.version().path(), p -> new ArrayList<>()).add(v);
        }
        List<VaultIndex.Versioned> drop = new ArrayList<>();
        int forgotten = 0;
        for (List<VaultIndex.Versioned> versions : byPath.values()) {
            int n = versions.size();
            VaultIndex.Versioned current = versions.get(n - 1);
            if (current.version().deleted() && committedAt.getOrDefault(current.seq(), Long.MAX_VALUE) < horizon) {
                drop.addAll(versions); // deleted long enough ago: the path is forgotten
                forgotten++;
                continue;
            }
            for (int i = 0; i < n - 1; i++) {
                boolean recent = n - i <= keepVersions;
                long replacedAt = committedAt.getOrDefault(versions.get(i + 1).seq(), Long.MAX_VALUE);
                if (!recent && replacedAt < horizon) {
                    drop.add(versions.get(i));
                }
            }
        }
        return new Decision(List.copyOf(drop), forgotten);
    }
}
