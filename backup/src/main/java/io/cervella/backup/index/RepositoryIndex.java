package io.cervella.backup.index;

import io.cervella.backup.pack.BlobId;
import io.cervella.backup.pack.BlobType;
import io.cervella.backup.pack.PackBuilder;
import io.cervella.backup.pack.PackEntry;
import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.repo.RepositoryKeys;
import io.cervella.core.http.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Which blob is in which pack (docs/formats/backup.md, Index files), read from every index file that
 * no other one supersedes. A pack counts as stored once an index file names it.
 */
public final class RepositoryIndex {
    static final String PREFIX = "index/";

    /** Where a blob is. */
    public record Location(String pack, PackEntry entry) {}

    private final Map<BlobId, Location> blobs = new HashMap<>();
    private final Map<String, List<PackEntry>> packs = new LinkedHashMap<>();
    private final List<String> files = new ArrayList<>();
    /** Every index file read, the superseded ones too (a prune that died before deleting them left them). */
    private final List<String> allFiles = new ArrayList<>();

    /** Reads the repository's index files; one that does not open is damaged, and named. */
    public static RepositoryIndex load(BackupRepository repo) throws IOException, RepositoryKeys.DamagedException {
        RepositoryIndex index = new RepositoryIndex();
        Map<String, JsonNode> read = new LinkedHashMap<>();
        Set<String> superseded = new HashSet<>();
        for (String name : repo.store().list(PREFIX)) {
            byte[] sealed = repo.store().get(name).orElse(null);
            if (sealed == null) {
                continue; // deleted by a prune meanwhile
            }
            JsonNode json;
            try {
                json = Json.MAPPER.readTree(repo.keys().open("index", sealed));
            } catch (RepositoryKeys.DamagedException e) {
                throw new RepositoryKeys.DamagedException(name + ": " + e.getMessage());
            }
            read.put(name, json);
            index.allFiles.add(name);
            json.path("supersedes").forEach(s -> superseded.add(PREFIX + s.asString()));
        }
        for (Map.Entry<String, JsonNode> e : read.entrySet()) {
            if (superseded.contains(e.getKey())) {
                continue; // a prune wrote its replacement and crashed before deleting it
            }
            index.files.add(e.getKey());
            for (JsonNode p : e.getValue().path("packs")) {
                List<PackEntry> entries = new ArrayList<>();
                for (JsonNode b : p.path("blobs")) {
                    entries.add(new PackEntry(BlobType.valueOf(b.path("type").asString().toUpperCase(java.util.Locale.ROOT)),
                            BlobId.parse(b.path("id").asString()), b.path("offset").asInt(), b.path("length").asInt(),
                            b.path("plain_length").asInt()));
                }
                index.add(p.path("id").asString(), entries);
            }
        }
        return index;
    }

    /** Records a pack's blobs (the first pack named for a blob keeps it). */
    public void add(String pack, List<PackEntry> entries) {
        packs.put(pack, List.copyOf(entries));
        for (PackEntry e : entries) {
            blobs.putIfAbsent(e.id(), new Location(pack, e));
        }
    }

    public boolean has(BlobId id) {
        return blobs.containsKey(id);
    }

    public Optional<Location> find(BlobId id) {
        return Optional.ofNullable(blobs.get(id));
    }

    public boolean hasPack(String pack) {
        return packs.containsKey(pack);
    }

    public Map<String, List<PackEntry>> packs() {
        return packs;
    }

    /** The index files read (those no other supersedes). */
    public List<String> files() {
        return List.copyOf(files);
    }

    /**
     * Every index file read, superseded ones included: what a prune's new index supersedes and then
     * deletes (superseding only the live ones would let a leftover come back once its superseder goes).
     */
    public List<String> allFiles() {
        return List.copyOf(allFiles);
    }

    /** Writes an index file naming {@code packIds} (which this index knows), superseding {@code supersedes}; returns its name. */
    public String write(BackupRepository repo, Collection<String> packIds, Collection<String> supersedes) throws IOException {
        ObjectNode json = Json.object();
        ArrayNode list = json.putArray("packs");
        for (String pack : packIds) {
            ObjectNode p = list.addObject();
            p.put("id", pack);
            ArrayNode bl = p.putArray("blobs");
            for (PackEntry e : packs.get(pack)) {
                ObjectNode b = bl.addObject();
                b.put("id", e.id().hex());
                b.put("type", e.type().name().toLowerCase(java.util.Locale.ROOT));
                b.put("offset", e.offset());
                b.put("length", e.length());
                b.put("plain_length", e.plainLength());
            }
        }
        ArrayNode sup = json.putArray("supersedes");
        supersedes.forEach(s -> sup.add(s.startsWith(PREFIX) ? s.substring(PREFIX.length()) : s));
        byte[] sealed = repo.keys().seal("index", Json.bytes(json));
        String name = PREFIX + PackBuilder.sha256(sealed);
        repo.store().put(name, sealed);
        files.add(name);
        return name;
    }
}
