package io.cervella.vault.client;

import io.cervella.core.http.Json;
import io.cervella.core.chunk.GearTable;
import io.cervella.vault.version.VersionVector;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * What a synced folder remembers between runs (docs/formats/vault.md, The device's state file), in
 * {@code DIR/.cervella/state.json}, mode 0600 (it holds the vault's gear table): the vault and the last
 * commit pulled, and for each path the version last synced and the size and modification time the
 * file had then, so that an unchanged file is known without reading it.
 */
public final class SyncState {
    static final int FORMAT = 1;

    /** A path as last synced: its version's vector, and the file as it was on disk then. */
    public record Entry(VersionVector vector, boolean deleted, long size, long mtimeNanos, String contentHash) {}

    private final Path file;
    String vaultId;
    String deviceId;
    long seq;
    GearTable gearTable;
    /** The server's request body limit: chunk batches stay under it. */
    long maxBodyBytes;
    final Map<String, Entry> files = new TreeMap<>();
    /** Versions a pull could not write (path to its commit): the next pull reads from there again. */
    final Map<String, Long> pending = new TreeMap<>();

    private SyncState(Path file) {
        this.file = file;
    }

    public static Path location(Path folder) {
        return folder.resolve(".cervella").resolve("state.json");
    }

    /** The folder's state, or a fresh one (nothing synced yet). */
    public static SyncState load(Path folder) throws IOException {
        SyncState s = new SyncState(location(folder));
        if (!Files.exists(s.file)) {
            return s;
        }
        JsonNode o;
        try {
            o = Json.MAPPER.readTree(Files.readAllBytes(s.file));
        } catch (RuntimeException e) {
            throw new IOException(s.file + " is damaged (" + e.getMessage() + "); move it away to sync from scratch"
                    + " (local files are kept, edits made on both sides become conflict copies)");
        }
        if (o.path("format").asInt(0) != FORMAT) {
            throw new IOException(s.file + ": state format " + o.path("format") + " is not one this version reads");
        }
        s.vaultId = o.path("vault_id").asString(null);
        s.deviceId = o.path("device").asString(null);
        s.seq = o.path("seq").asLong(0);
        s.maxBodyBytes = o.path("max_body_bytes").asLong(0);
        s.gearTable = o.hasNonNull("gear_table") ? GearTable.fromBase64(o.path("gear_table").asString()) : null;
        o.path("pending").properties().forEach(e -> s.pending.put(e.getKey(), e.getValue().asLong()));
        for (Map.Entry<String, JsonNode> e : o.path("files").properties()) {
            JsonNode f = e.getValue();
            Map<String, Long> vector = new LinkedHashMap<>();
            f.path("vector").properties().forEach(c -> vector.put(c.getKey(), c.getValue().asLong()));
            s.files.put(e.getKey(), new Entry(new VersionVector(vector), f.path("deleted").asBoolean(),
                    f.path("size").asLong(), f.path("mtime_ns").asLong(), f.path("content_hash").asString("")));
        }
        return s;
    }

    /** Writes the state durably: a temporary file (0600), fsynced, renamed over the old one. */
    public void save() throws IOException {
        // streamed, not built as a tree: the state of a folder of 10,000 files is written after every commit
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(256 + files.size() * 160);
        try (tools.jackson.core.JsonGenerator g = Json.MAPPER.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeNumberProperty("format", FORMAT);
            g.writeStringProperty("vault_id", vaultId);
            g.writeStringProperty("device", deviceId);
            g.writeNumberProperty("seq", seq);
            if (gearTable != null) {
                g.writeStringProperty("gear_table", gearTable.toBase64());
            }
            g.writeNumberProperty("max_body_bytes", maxBodyBytes);
            g.writeName("pending");
            g.writeStartObject();
            for (Map.Entry<String, Long> p : pending.entrySet()) {
                g.writeNumberProperty(p.getKey(), p.getValue());
            }
            g.writeEndObject();
            g.writeName("files");
            g.writeStartObject();
            for (Map.Entry<String, Entry> f : files.entrySet()) {
                Entry e = f.getValue();
                g.writeName(f.getKey());
                g.writeStartObject();
                g.writeName("vector");
                g.writeStartObject();
                for (Map.Entry<String, Long> c : e.vector().counters().entrySet()) {
                    g.writeNumberProperty(c.getKey(), c.getValue());
                }
                g.writeEndObject();
                g.writeBooleanProperty("deleted", e.deleted());
                g.writeNumberProperty("size", e.size());
                g.writeNumberProperty("mtime_ns", e.mtimeNanos());
                g.writeStringProperty("content_hash", e.contentHash());
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("state.json.tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes.toByteArray()));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        LocalFiles.syncFolder(file.getParent());
    }

    public long seq() {
        return seq;
    }

    public Map<String, Entry> files() {
        return java.util.Collections.unmodifiableMap(files);
    }
}
