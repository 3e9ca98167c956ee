package io.cervella.vault.version;

import io.cervella.vault.manifest.FileVersion;
import io.cervella.vault.tree.VaultPath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides what a device's push does to the vault (docs/formats/vault.md, Version vectors): each
 * change names the version it was made from (its base); a change made from the current version, or
 * from a later one, is taken; a change made from an older or a parallel version never overwrites: an
 * edit is kept as a conflict copy beside the current file (or brings back a file deleted meanwhile), a
 * deletion is refused. A change that leaves the file as it is now (the same content, or deleted on
 * both sides) is no conflict: nothing is written and the current version is handed back. Pure: the
 * caller reads the current versions and writes the plan.
 */
public final class CommitPlanner {
    private CommitPlanner() {}

    /** A change as a device pushes it: {@code base} is the vector of the version it changed (EMPTY for a new file). */
    public record Change(VaultPath path, VersionVector base, boolean deleted, long size, long mtime, String contentHash,
                         List<String> chunks) {}

    public enum ConflictKind {
        /** Both sides edited: the device's edit is kept under {@code copy}. */
        EDITED_ON_BOTH,
        /** Deleted elsewhere, edited here: the file is back, with this edit. */
        EDIT_RESTORED_DELETED,
        /** Deleted here, edited elsewhere: the deletion is refused; the file returns at the next pull. */
        DELETE_REFUSED,
        /** A new file whose name collides (case, Unicode form) with another: refused. */
        NAME_COLLISION
    }

    public record Conflict(VaultPath path, ConflictKind kind, VaultPath copy, String detail) {}

    /**
     * @param versions  what to write
     * @param unchanged current versions the push asked for already (same content, or deleted on both
     *                  sides): the device takes their vectors, nothing is written
     */
    public record Plan(List<FileVersion> versions, List<FileVersion> unchanged, List<Conflict> conflicts) {}

    /**
     * @param current the current version of every path the vault has had (tombstones included)
     */
    public static Plan plan(Map<VaultPath, FileVersion> current, Device device, Instant now, List<Change> changes) {
        Set<VaultPath> seen = new HashSet<>();
        Map<String, VaultPath> liveByKey = new HashMap<>();
        current.values().stream().filter(v -> !v.deleted()).forEach(v -> liveByKey.put(v.path().collisionKey(), v.path()));
        Set<VaultPath> taken = new HashSet<>(current.keySet());
        List<FileVersion> versions = new ArrayList<>();
        List<FileVersion> unchanged = new ArrayList<>();
        List<Conflict> conflicts = new ArrayList<>();
        for (Change c : changes) {
            if (!seen.add(c.path())) {
                throw new IllegalArgumentException(c.path() + " is changed twice in one push");
            }
            FileVersion now_ = current.get(c.path());
            if (!c.deleted() && (now_ == null || now_.deleted())) {
                // a name coming (back) into use may not collide with a live one (case, Unicode form)
                VaultPath other = liveByKey.get(c.path().collisionKey());
                if (other != null && !other.equals(c.path())) {
                    conflicts.add(new Conflict(c.path(), ConflictKind.NAME_COLLISION, null,
                            "'" + c.path() + "' and '" + other + "' would be one file on macOS and Windows"));
                    continue;
                }
            }
            if (now_ == null) {
                if (c.deleted()) {
                    continue; // deleting what the vault never had: nothing to do
                }
                versions.add(content(c.path(), c.base().next(device.id()), c));
                liveByKey.put(c.path().collisionKey(), c.path());
                taken.add(c.path());
                continue;
            }
            if (c.deleted() ? now_.deleted() : !now_.deleted() && now_.contentHash().equals(c.contentHash())) {
                unchanged.add(now_); // the vault has this already, whoever made it: nothing to decide
                continue;
            }
            if (c.base().includes(now_.vector())) {
                // made from the current version (or later): taken
                VersionVector next = c.base().merge(now_.vector()).next(device.id());
                if (c.deleted()) {
                    versions.add(FileVersion.tombstone(c.path(), next, c.mtime()));
                } else {
                    versions.add(content(c.path(), next, c));
                }
                continue;
            }
            // made from a version the device had before someone else's change
            if (c.deleted()) {
                conflicts.add(new Conflict(c.path(), ConflictKind.DELETE_REFUSED, null,
                        "changed on another device since this one last synced; the deletion is not carried out"));
                continue;
            }
            if (now_.deleted()) {
                versions.add(content(c.path(), c.base().merge(now_.vector()).next(device.id()), c));
                conflicts.add(new Conflict(c.path(), ConflictKind.EDIT_RESTORED_DELETED, null,
                        "deleted on another device, edited on this one: kept with this edit"));
                continue;
            }
            VaultPath copy = freeName(ConflictName.of(c.path().value(), device.name(), now), taken);
            taken.add(copy);
            versions.add(content(copy, VersionVector.EMPTY.next(device.id()), c));
            conflicts.add(new Conflict(c.path(), ConflictKind.EDITED_ON_BOTH, copy,
                    "edited on this and another device: this device's version is kept as '" + copy + "'"));
        }
        return new Plan(List.copyOf(versions), List.copyOf(unchanged), List.copyOf(conflicts));
    }

    private static FileVersion content(VaultPath path, VersionVector vector, Change c) {
        return new FileVersion(path, vector, false, c.size(), c.mtime(), c.contentHash(), c.chunks());
    }

    /** The conflict name, or with -2, -3... before the extension if a file has it already. */
    private static VaultPath freeName(String name, Set<VaultPath> taken) {
        VaultPath p = VaultPath.of(name);
        int dot = name.lastIndexOf('.');
        boolean extension = dot > name.lastIndexOf('/') + 1 && !name.substring(dot).contains("conflict-");
        for (int n = 2; taken.contains(p); n++) {
            p = VaultPath.of(extension ? name.substring(0, dot) + "-" + n + name.substring(dot) : name + "-" + n);
        }
        return p;
    }
}
