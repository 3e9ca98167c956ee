package io.cervella.backup.snapshot;

import io.cervella.backup.pack.BlobId;
import io.cervella.core.http.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A snapshot (docs/formats/backup.md, Snapshots): when, where, the tree of each source, the database's
 * kind and schema version, and what the run did. Its id is the SHA-256 of its sealed bytes.
 */
public record Snapshot(String id, long time, String host, List<String> tags, Map<String, BlobId> trees,
                       String databaseKind, int schemaVersion, Summary summary, String parent) {
    static final int FORMAT = 1;

    public record Summary(long files, long bytes, long newBlobs, long newBytes, long durationMs) {}

    public Snapshot {
        tags = List.copyOf(tags);
        trees = Map.copyOf(trees);
    }

    /** The id as users type it: its first 8 hex digits. */
    public String shortId() {
        return id.substring(0, 8);
    }

    public Snapshot withId(String newId) {
        return new Snapshot(newId, time, host, tags, trees, databaseKind, schemaVersion, summary, parent);
    }

    public byte[] toJson() {
        ObjectNode o = Json.object();
        o.put("format", FORMAT);
        o.put("time", time);
        o.put("host", host);
        tags.forEach(o.putArray("tags")::add);
        ObjectNode t = o.putObject("trees");
        trees.forEach((k, v) -> t.put(k, v.hex()));
        ObjectNode db = o.putObject("database");
        db.put("kind", databaseKind);
        db.put("schema_version", schemaVersion);
        ObjectNode s = o.putObject("summary");
        s.put("files", summary.files());
        s.put("bytes", summary.bytes());
        s.put("new_blobs", summary.newBlobs());
        s.put("new_bytes", summary.newBytes());
        s.put("duration_ms", summary.durationMs());
        if (parent != null) {
            o.put("parent", parent);
        }
        return Json.bytes(o);
    }

    public static Snapshot fromJson(String id, byte[] json) {
        JsonNode o = Json.MAPPER.readTree(json);
        if (o.path("format").asInt(0) != FORMAT) {
            throw new IllegalStateException("snapshot " + id + " has format " + o.path("format") + ", not " + FORMAT);
        }
        List<String> tags = new ArrayList<>();
        o.path("tags").forEach(x -> tags.add(x.asString()));
        Map<String, BlobId> trees = new LinkedHashMap<>();
        o.path("trees").properties().forEach(e -> trees.put(e.getKey(), BlobId.parse(e.getValue().asString())));
        JsonNode s = o.path("summary");
        return new Snapshot(id, o.path("time").asLong(), o.path("host").asString(""), tags, trees,
                o.path("database").path("kind").asString(""), o.path("database").path("schema_version").asInt(0),
                new Summary(s.path("files").asLong(), s.path("bytes").asLong(), s.path("new_blobs").asLong(),
                        s.path("new_bytes").asLong(), s.path("duration_ms").asLong()),
                o.path("parent").isMissingNode() ? null : o.path("parent").asString());
    }
}
