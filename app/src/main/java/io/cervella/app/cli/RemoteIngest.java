package io.cervella.app.cli;

import io.cervella.memory.ingest.FolderIngest;
import io.cervella.memory.store.MemoryStore;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A folder mirrored into a collection of a running server through its API: the server's content
 * hashes are read first, so that only new and changed files are sent (and embedded); documents whose
 * file is gone are deleted. The same outcome as {@link FolderIngest} on a stopped server's data.
 */
final class RemoteIngest {
    record Result(int files, int changed, int removed, List<String> skipped) {}

    private final ServerClient server;

    RemoteIngest(ServerClient server) {
        this.server = server;
    }

    Result mirror(Path folder, String collection, String model, FolderIngest.Progress progress) throws IOException {
        folder = folder.toRealPath();
        List<Path> files = FolderIngest.textFiles(folder);
        String base = "/memory/collections/" + collection;
        if (!collectionExists(collection)) {
            Map<String, Object> create = new LinkedHashMap<>();
            create.put("name", collection);
            if (model != null) {
                create.put("model", model);
            }
            server.post("/memory/collections", create);
        }
        Map<String, String> remote = remoteHashes(base);
        Set<String> present = new HashSet<>();
        List<String> skipped = new ArrayList<>();
        int changed = 0;
        int done = 0;
        for (Path f : files) {
            String id = FolderIngest.id(folder, f);
            present.add(id);
            try {
                String text = FolderIngest.read(f);
                Map<String, Object> metadata = FolderIngest.metadata(id);
                if (!MemoryStore.hash(text, metadata).equals(remote.get(id))) {
                    server.post(base + "/documents", Map.of("id", id, "content", text, "metadata", metadata));
                    changed++;
                }
            } catch (CharacterCodingException e) {
                skipped.add(id + ": not UTF-8 text");
            }
            progress.step(++done, files.size(), id);
        }
        FolderIngest.refuseToEmpty(folder, files.size(), remote.size());
        int removed = 0;
        for (String id : remote.keySet()) {
            if (!present.contains(id)) {
                server.delete(base + "/documents?id=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
                removed++;
            }
        }
        return new Result(files.size(), changed, removed, List.copyOf(skipped));
    }

    private boolean collectionExists(String collection) {
        for (JsonNode c : server.get("/memory/collections").path("data")) {
            if (c.path("name").asString().equals(collection)) {
                return true;
            }
        }
        return false;
    }

    /** Every document's content hash on the server, page by page. */
    private Map<String, String> remoteHashes(String base) {
        Map<String, String> out = new HashMap<>();
        String after = null;
        while (true) {
            JsonNode page = server.get(base + "/documents?limit=5000"
                    + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8)));
            for (JsonNode d : page.path("data")) {
                out.put(d.path("id").asString(), d.path("content_hash").asString());
            }
            if (!page.path("has_more").asBoolean(false)) {
                return out;
            }
            after = page.path("next_after").asString();
        }
    }
}
