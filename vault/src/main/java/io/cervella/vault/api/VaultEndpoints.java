package io.cervella.vault.api;

import io.cervella.core.audit.AdminActions;

import io.cervella.vault.chunk.VaultChunking;
import io.cervella.core.http.ApiException;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Json;
import io.cervella.core.http.Route;
import io.cervella.core.keys.ApiKeyRecord;
import io.cervella.core.keys.Scope;
import io.cervella.vault.VaultService;
import io.cervella.core.chunk.ContentChunker;
import io.cervella.vault.index.VaultIndex;
import io.cervella.vault.manifest.FileVersion;
import io.cervella.vault.protocol.ChunkFrames;
import io.cervella.vault.retention.RetentionPolicy;
import io.cervella.vault.tree.VaultPath;
import io.cervella.vault.version.CommitPlanner;
import io.cervella.vault.version.Device;
import io.cervella.vault.version.VersionVector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The vault over HTTPS (scope {@code vault}; docs/formats/vault.md, Sync protocol, and
 * docs/vault-api.md): the sync protocol a device speaks, and the reads and restores a person makes.
 * The device is the API key: its id counts in version vectors, its name marks conflict copies.
 */
public final class VaultEndpoints {
    /** At most this many hashes in one missing or read request. */
    static final int MAX_HASHES = 10_000;
    static final int DEFAULT_PAGE = 5_000;
    static final int MAX_WAIT_SECONDS = 60;
    /** A chunk read answers with at most about this much (the frames that fit, in the order asked). */
    static final int MAX_READ_BYTES = 16 * 1024 * 1024;

    private final VaultService vault;
    private final String lockedReason;
    private final long maxBodyBytes;
    private final RetentionPolicy retention;
    private final AdminActions audit;

    private VaultEndpoints(VaultService vault, String lockedReason, long maxBodyBytes, RetentionPolicy retention,
                           AdminActions audit) {
        this.vault = vault;
        this.lockedReason = lockedReason;
        this.maxBodyBytes = maxBodyBytes;
        this.retention = retention;
        this.audit = audit;
    }

    public static VaultEndpoints open(VaultService vault, long maxBodyBytes, RetentionPolicy retention, AdminActions audit) {
        return new VaultEndpoints(vault, null, maxBodyBytes, retention, audit);
    }

    /** The routes of a vault that is not unlocked: each answers 503 with the reason (how to unlock it). */
    public static VaultEndpoints locked(String reason) {
        return new VaultEndpoints(null, reason, 0, null, AdminActions.NONE);
    }

    public List<Route> routes() {
        return List.of(
                route("GET", "/vault/info", Scope.VAULT, this::info),
                route("POST", "/vault/chunks/missing", Scope.VAULT, this::missing),
                route("POST", "/vault/chunks", Scope.VAULT, this::putChunks),
                route("PUT", "/vault/chunks/{hash}", Scope.VAULT, this::putChunk),
                route("GET", "/vault/chunks/{hash}", Scope.VAULT, this::getChunk),
                route("POST", "/vault/chunks/read", Scope.VAULT, this::readChunks),
                route("POST", "/vault/commit", Scope.VAULT, this::commit),
                route("GET", "/vault/changes", Scope.VAULT, this::changes),
                route("GET", "/vault/files", Scope.VAULT, this::files),
                route("GET", "/vault/versions", Scope.VAULT, this::versions),
                route("GET", "/vault/file", Scope.VAULT, this::file),
                route("POST", "/vault/restore", Scope.VAULT, this::restore),
                route("POST", "/vault/check", Scope.ADMIN, this::check),
                route("POST", "/vault/prune", Scope.ADMIN, this::prune));
    }

    private interface Handler {
        void handle(Exchange ex) throws Exception;
    }

    private Route route(String method, String pattern, Scope scope, Handler h) {
        return Route.of(method, pattern, scope, ex -> {
            if (vault == null) {
                ex.discardBody();
                throw new ApiException(503, "server_error", "vault_locked", lockedReason);
            }
            try {
                h.handle(ex);
            } catch (IOException e) {
                if (ex.isCommitted()) {
                    throw e;
                }
                // a full disk, an unreachable bucket: nothing was acknowledged, the device retries
                throw new ApiException(503, "server_error", "vault_storage_error",
                        "the vault could not read or write its storage: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid_value", e.getMessage());
            }
        });
    }

    static Device device(Exchange ex) {
        ApiKeyRecord key = ex.key();
        return new Device(key.id(), key.name());
    }

    private void info(Exchange ex) throws IOException {
        ObjectNode o = Json.object();
        o.put("vault_id", vault.vaultId());
        o.put("head", vault.head());
        Device d = device(ex);
        ObjectNode device = o.putObject("device");
        device.put("id", d.id());
        device.put("name", d.name());
        ObjectNode chunking = o.putObject("chunking");
        chunking.put("min", VaultChunking.SIZES.min());
        chunking.put("avg", VaultChunking.SIZES.average());
        chunking.put("max", VaultChunking.SIZES.max());
        chunking.put("gear_table", vault.gearTable().toBase64());
        o.put("max_body_bytes", maxBodyBytes);
        ex.sendJson(200, o);
    }

    private static List<String> hashes(JsonNode body) {
        JsonNode list = body.get("hashes");
        if (list == null || !list.isArray()) {
            throw ApiException.badRequest("invalid_type", "'hashes' must be an array of content hashes");
        }
        if (list.size() > MAX_HASHES) {
            throw ApiException.badRequest("invalid_value", "at most " + MAX_HASHES + " hashes a request, got " + list.size());
        }
        List<String> out = new ArrayList<>(list.size());
        list.forEach(h -> out.add(h.asString("")));
        return out;
    }

    private void missing(Exchange ex) throws IOException {
        ex.sendJson(200, Map.of("missing", vault.missing(hashes(ex.jsonBody()))));
    }

    private void putChunks(Exchange ex) throws IOException {
        List<ChunkFrames.Frame> frames;
        try (java.io.InputStream body = ex.bodyStream()) {
            frames = ChunkFrames.read(new java.io.BufferedInputStream(body, 16 * 1024));
        } catch (IOException e) {
            throw ApiException.badRequest("invalid_frames", "the chunk batch is malformed: " + e.getMessage());
        }
        for (ChunkFrames.Frame f : frames) {
            vault.putChunk(f.hash(), f.bytes());
        }
        ex.sendJson(200, Map.of("stored", frames.size()));
    }

    private void putChunk(Exchange ex) throws IOException {
        byte[] bytes = ex.body();
        if (bytes.length > VaultChunking.SIZES.max()) {
            throw ApiException.badRequest("invalid_value", "a chunk is at most " + VaultChunking.SIZES.max() + " bytes");
        }
        vault.putChunk(ex.pathParam("hash"), bytes);
        ex.sendJson(201, Map.of("stored", ex.pathParam("hash")));
    }

    private void getChunk(Exchange ex) throws IOException {
        byte[] bytes = vault.chunk(ex.pathParam("hash")).orElseThrow(() ->
                ApiException.notFound("chunk_not_found", "the vault has no chunk " + ex.pathParam("hash")));
        ex.send(200, "application/octet-stream", bytes);
    }

    private void readChunks(Exchange ex) throws IOException {
        List<String> wanted = hashes(ex.jsonBody());
        List<String> absent = vault.missing(wanted);
        if (!absent.isEmpty()) {
            throw ApiException.notFound("chunk_not_found", "the vault has no chunk " + absent.getFirst()
                    + (absent.size() > 1 ? " (and " + (absent.size() - 1) + " more)" : ""));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String h : wanted) {
            if (out.size() >= MAX_READ_BYTES) {
                break; // the device asks again for the rest: a response stays a bounded buffer
            }
            ChunkFrames.write(out, h, vault.chunk(h).orElseThrow());
        }
        ex.send(200, ChunkFrames.CONTENT_TYPE, out.toByteArray());
    }

    private void commit(Exchange ex) throws IOException {
        JsonNode files = ex.jsonBody().get("files");
        if (files == null || !files.isArray() || files.isEmpty()) {
            throw ApiException.badRequest("invalid_type", "'files' must be a non-empty array of changes");
        }
        List<CommitPlanner.Change> changes = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            changes.add(change(files.get(i), i));
        }
        VaultService.CommitResult result;
        try {
            result = vault.commit(device(ex), changes);
        } catch (VaultService.MissingChunksException e) {
            ObjectNode o = Json.object();
            ObjectNode error = o.putObject("error");
            error.put("message", e.getMessage());
            error.put("type", "invalid_request_error");
            error.put("code", "missing_chunks");
            ArrayNode missing = o.putArray("missing");
            e.missing().forEach(missing::add);
            ex.sendJson(409, o);
            return;
        }
        ex.sendJson(200, VaultJson.commitResult(vault, result));
    }

    private static CommitPlanner.Change change(JsonNode f, int i) {
        String where = "files[" + i + "]";
        if (!f.isObject()) {
            throw ApiException.badRequest("invalid_type", where + " must be an object");
        }
        VaultPath path;
        try {
            path = VaultPath.of(f.path("path").asString(null));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_path", where + ".path: " + e.getMessage());
        }
        if (path.value().split("/", 2)[0].equalsIgnoreCase(".cervella")) {
            // the sync client's own folder on every device: a file there would overwrite a device's state
            throw ApiException.badRequest("invalid_path", where + ".path: '.cervella' is the sync client's own folder");
        }
        Map<String, Long> base = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : f.path("base").properties()) {
            if (!e.getValue().isIntegralNumber() || e.getValue().asLong() < 1) {
                throw ApiException.badRequest("invalid_value", where + ".base: counters are positive whole numbers");
            }
            base.put(e.getKey(), e.getValue().asLong());
        }
        boolean deleted = f.path("deleted").asBoolean(false);
        List<String> chunks = new ArrayList<>();
        f.path("chunks").forEach(c -> chunks.add(c.asString("")));
        long size = f.path("size").asLong(-1);
        String contentHash = f.path("content_hash").asString("");
        if (!deleted && (size < 0 || !contentHash.matches("[0-9a-f]{64}"))) {
            throw ApiException.badRequest("invalid_value", where + ": a file needs its size and content_hash (SHA-256, hex)");
        }
        try {
            // checks the shape as the stored version will (a deletion with content, bad chunk names)
            new FileVersion(path, new VersionVector(base), deleted, deleted ? 0 : size, 0, contentHash, chunks);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_value", where + ": " + e.getMessage());
        }
        return new CommitPlanner.Change(path, new VersionVector(base), deleted, deleted ? 0 : size,
                f.path("mtime").asLong(0), deleted ? "" : contentHash, chunks);
    }

    private void changes(Exchange ex) throws Exception {
        long since = longParam(ex, "since", 0);
        int limit = (int) Math.min(DEFAULT_PAGE, Math.max(1, longParam(ex, "limit", DEFAULT_PAGE)));
        long wait = Math.min(MAX_WAIT_SECONDS, Math.max(0, longParam(ex, "wait", 0)));
        long head = wait > 0 ? vault.awaitHeadAfter(since, Duration.ofSeconds(wait)) : vault.head();
        List<VaultIndex.Versioned> page = head > since ? vault.changesSince(since, limit) : List.of();
        ObjectNode o = Json.object();
        long next = page.isEmpty() ? since : page.getLast().seq();
        o.put("vault_id", vault.vaultId());
        o.put("head", head);
        o.put("next", next);
        o.put("more", !page.isEmpty() && next < head);
        ArrayNode versions = o.putArray("versions");
        page.forEach(v -> versions.add(VaultJson.versioned(v)));
        ex.sendJson(200, o);
    }

    private void files(Exchange ex) throws IOException {
        ex.sendJson(200, VaultJson.files(vault, ex.query("prefix").orElse(""),
                ex.query("deleted").map(Boolean::parseBoolean).orElse(false)));
    }

    private static VaultPath pathParam(Exchange ex) {
        String raw = ex.query("path").orElseThrow(() -> ApiException.badRequest("missing_parameter", "the 'path' query parameter is required"));
        try {
            return VaultPath.of(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_path", e.getMessage());
        }
    }

    private void versions(Exchange ex) throws IOException {
        VaultPath path = pathParam(ex);
        if (vault.history(path).isEmpty()) {
            throw ApiException.notFound("file_not_found", "the vault has never had '" + path + "'");
        }
        ex.sendJson(200, VaultJson.versions(vault, path));
    }

    private void file(Exchange ex) throws IOException {
        VaultPath path = pathParam(ex);
        long seq = longParam(ex, "seq", 0);
        Optional<VaultIndex.Versioned> v = vault.version(path, seq);
        if (v.isEmpty()) {
            throw ApiException.notFound("file_not_found", seq == 0 ? "the vault has never had '" + path + "'"
                    : "'" + path + "' has no version " + seq + " (see GET /vault/versions?path=...)");
        }
        if (v.get().version().deleted()) {
            throw ApiException.notFound("file_deleted", "'" + path + "' is deleted in version " + v.get().seq()
                    + "; an older version can be read with seq");
        }
        ex.setHeader("X-Cervella-Seq", Long.toString(v.get().seq()));
        ex.setHeader("X-Cervella-Content-Hash", v.get().version().contentHash());
        OutputStream out = ex.startStream(200, "application/octet-stream");
        vault.read(v.get().version(), out);
        out.close();
    }

    private void restore(Exchange ex) throws IOException {
        JsonNode body = ex.jsonBody();
        VaultPath path;
        try {
            path = VaultPath.of(body.path("path").asString(null));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_path", e.getMessage());
        }
        JsonNode seq = body.get("seq");
        if (seq == null || !seq.isIntegralNumber() || seq.asLong() < 1) {
            throw ApiException.badRequest("invalid_value", "'seq' (the version to restore) is required");
        }
        if (vault.version(path, seq.asLong()).isEmpty()) {
            throw ApiException.notFound("file_not_found", "'" + path + "' has no version " + seq.asLong());
        }
        var result = vault.restore(device(ex), path, seq.asLong());
        // the audit log is not encrypted, so it names the versions, never the file
        audit.record(ex.key().id(), "vault.restore", "", java.util.Map.of("version_seq", seq.asLong()));
        ex.sendJson(200, VaultJson.commitResult(vault, result));
    }

    private void check(Exchange ex) throws IOException {
        ex.sendJson(200, VaultJson.check(vault.check()));
    }

    private void prune(Exchange ex) throws IOException {
        byte[] body = ex.body();
        boolean dryRun = body.length > 0 && Json.MAPPER.readTree(body).path("dry_run").asBoolean(false);
        ex.sendJson(200, VaultJson.prune(vault.prune(retention, dryRun)));
    }

    private static long longParam(Exchange ex, String name, long fallback) {
        Optional<String> v = ex.query(name);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.get());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_value", "'" + name + "' must be a whole number");
        }
    }
}
