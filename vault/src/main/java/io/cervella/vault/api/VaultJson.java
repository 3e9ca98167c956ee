package io.cervella.vault.api;

import io.cervella.core.http.Json;
import io.cervella.vault.VaultService;
import io.cervella.vault.index.VaultIndex;
import io.cervella.vault.tree.VaultPath;
import io.cervella.vault.version.CommitPlanner;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The vault's answers as JSON (docs/vault-api.md), shared by the API and the CLI working on a stopped server's data. */
public final class VaultJson {
    private VaultJson() {}

    /** A version with the commit that made it. */
    public static ObjectNode versioned(VaultIndex.Versioned v) {
        ObjectNode j = v.version().toJson();
        j.put("seq", v.seq());
        return j;
    }

    /** The current files under a prefix (chunk lists left out: a listing). */
    public static ObjectNode files(VaultService vault, String prefix, boolean withDeleted) {
        ObjectNode o = Json.object();
        o.put("head", vault.head());
        listing(o.putArray("files"), vault.tree(prefix, withDeleted));
        return o;
    }

    public static ObjectNode versions(VaultService vault, VaultPath path) {
        ObjectNode o = Json.object();
        o.put("path", path.value());
        listing(o.putArray("versions"), vault.history(path));
        return o;
    }

    private static void listing(ArrayNode into, java.util.List<VaultIndex.Versioned> versions) {
        for (VaultIndex.Versioned v : versions) {
            ObjectNode j = versioned(v);
            j.remove("chunks");
            into.add(j);
        }
    }

    public static ObjectNode check(VaultService.CheckReport r) {
        ObjectNode o = Json.object();
        o.put("clean", r.clean());
        o.put("packs", r.packs());
        o.put("chunks", r.chunks());
        o.put("commits", r.commits());
        o.put("versions", r.versions());
        ArrayNode problems = o.putArray("problems");
        r.problems().forEach(problems::add);
        return o;
    }

    public static ObjectNode prune(VaultService.PruneReport r) {
        ObjectNode o = Json.object();
        o.put("dry_run", r.dryRun());
        o.put("versions_dropped", r.versionsDropped());
        o.put("paths_forgotten", r.pathsForgotten());
        o.put("packs_deleted", r.packsDeleted());
        o.put("packs_rewritten", r.packsRewritten());
        o.put("bytes_freed", r.bytesFreed());
        return o;
    }

    /** The result, each conflict with the path's current version: the device writes it where its edit was. */
    public static ObjectNode commitResult(VaultService vault, VaultService.CommitResult result) {
        ObjectNode o = Json.object();
        o.put("seq", result.seq());
        ArrayNode accepted = o.putArray("accepted");
        result.accepted().forEach(v -> accepted.add(v.toJson()));
        ArrayNode conflicts = o.putArray("conflicts");
        for (CommitPlanner.Conflict c : result.conflicts()) {
            ObjectNode j = conflicts.addObject();
            j.put("path", c.path().value());
            j.put("kind", c.kind().name().toLowerCase(java.util.Locale.ROOT));
            if (c.copy() != null) {
                j.put("copy", c.copy().value());
            }
            j.put("detail", c.detail());
            if (c.kind() != CommitPlanner.ConflictKind.NAME_COLLISION) {
                vault.version(c.path(), 0).ifPresent(v -> j.set("current", versioned(v)));
            }
        }
        return o;
    }

}
