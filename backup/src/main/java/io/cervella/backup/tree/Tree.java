package io.cervella.backup.tree;

import io.cervella.backup.pack.BlobId;
import io.cervella.core.http.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** A source's files in a snapshot (docs/formats/backup.md, Trees), sorted by path; stored as a tree blob. */
public record Tree(String source, List<TreeEntry> entries) {
    public Tree {
        entries = entries.stream().sorted(Comparator.comparing(TreeEntry::path)).toList();
    }

    public byte[] toJson() {
        ObjectNode o = Json.object();
        o.put("source", source);
        ArrayNode list = o.putArray("entries");
        for (TreeEntry e : entries) {
            ObjectNode f = list.addObject();
            f.put("path", e.path());
            f.put("size", e.size());
            f.put("mtime", e.mtime());
            ArrayNode c = f.putArray("content");
            e.content().forEach(id -> c.add(id.hex()));
        }
        return Json.bytes(o);
    }

    public static Tree fromJson(byte[] json) {
        JsonNode o = Json.MAPPER.readTree(json);
        List<TreeEntry> entries = new ArrayList<>();
        for (JsonNode f : o.path("entries")) {
            List<BlobId> content = new ArrayList<>();
            f.path("content").forEach(c -> content.add(BlobId.parse(c.asString())));
            entries.add(new TreeEntry(f.path("path").asString(), f.path("size").asLong(), f.path("mtime").asLong(), content));
        }
        return new Tree(o.path("source").asString(), entries);
    }
}
