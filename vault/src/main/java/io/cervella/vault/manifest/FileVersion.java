package io.cervella.vault.manifest;

import io.cervella.core.http.Json;
import io.cervella.vault.tree.VaultPath;
import io.cervella.vault.version.VersionVector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One version of one file in a commit: its vector, and either its content (size, whole-file hash, the
 * content hashes of its chunks in order) or a tombstone ({@code deleted}, no chunks).
 */
public record FileVersion(VaultPath path, VersionVector vector, boolean deleted, long size, long mtime, String contentHash,
                          List<String> chunks) {
    public FileVersion {
        chunks = List.copyOf(chunks);
        if (deleted && (!chunks.isEmpty() || size != 0)) {
            throw new IllegalArgumentException(path + ": a deletion has no content");
        }
        if (size < 0) {
            throw new IllegalArgumentException(path + ": a negative size");
        }
        for (String c : chunks) {
            if (!c.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException(path + ": a chunk is named by its SHA-256 in lower-case hex");
            }
        }
    }

    /** The version as JSON: a manifest's file entry, and what the database index keeps encrypted. */
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("path", path.value());
        ObjectNode v = o.putObject("vector");
        vector.counters().forEach(v::put);
        o.put("deleted", deleted);
        o.put("size", size);
        o.put("mtime", mtime);
        o.put("content_hash", contentHash);
        ArrayNode list = o.putArray("chunks");
        chunks.forEach(list::add);
        return o;
    }

    public static FileVersion fromJson(JsonNode o) {
        Map<String, Long> vector = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : o.path("vector").properties()) {
            vector.put(e.getKey(), e.getValue().asLong());
        }
        List<String> chunks = new ArrayList<>();
        o.path("chunks").forEach(c -> chunks.add(c.asString()));
        return new FileVersion(VaultPath.of(o.path("path").asString()), new VersionVector(vector), o.path("deleted").asBoolean(),
                o.path("size").asLong(), o.path("mtime").asLong(), o.path("content_hash").asString(""), chunks);
    }

    public static FileVersion tombstone(VaultPath path, VersionVector vector, long mtime) {
        return new FileVersion(path, vector, true, 0, mtime, "", List.of());
    }
}
