package io.cervella.memory.api;

import io.cervella.core.http.ApiException;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Route;
import io.cervella.core.keys.Scope;
import io.cervella.memory.MemoryService;
import io.cervella.memory.embedding.EmbeddingUnavailableException;
import io.cervella.memory.index.Filter;
import io.cervella.memory.index.Hit;
import io.cervella.memory.index.SearchMode;
import static io.cervella.memory.api.RequestFields.object;
import static io.cervella.memory.api.RequestFields.string;
import io.cervella.memory.store.MemoryStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The memory over HTTP (scope {@code memory}): collections, documents (the id in the body or the
 * {@code id} query parameter, since ids are often file paths), search. Errors in the OpenAI shape.
 */
public final class MemoryEndpoints {
    private final MemoryService memory;

    public MemoryEndpoints(MemoryService memory) {
        this.memory = memory;
    }

    public List<Route> routes() {
        return List.of(
                Route.of("POST", "/memory/collections", Scope.MEMORY, this::createCollection),
                Route.of("GET", "/memory/collections", Scope.MEMORY, this::listCollections),
                Route.of("DELETE", "/memory/collections/{name}", Scope.MEMORY, this::deleteCollection),
                Route.of("POST", "/memory/collections/{name}/documents", Scope.MEMORY, this::putDocument),
                Route.of("GET", "/memory/collections/{name}/documents", Scope.MEMORY, this::getDocument),
                Route.of("DELETE", "/memory/collections/{name}/documents", Scope.MEMORY, this::deleteDocument),
                Route.of("POST", "/memory/collections/{name}/search", Scope.MEMORY, this::search));
    }

    private void createCollection(Exchange ex) throws Exception {
        JsonNode body = object(ex);
        String name = string(body, "name", true);
        String model = string(body, "model", false);
        try {
            MemoryStore.Collection c = memory.createCollection(name, model).orElseThrow(() ->
                    new ApiException(409, "invalid_request_error", "collection_exists", "a collection '" + name + "' exists already"));
            ex.sendJson(201, collection(c));
        } catch (EmbeddingUnavailableException e) {
            throw e.toApi();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_value", e.getMessage());
        }
    }

    private void listCollections(Exchange ex) throws Exception {
        ex.sendJson(200, Map.of("object", "list", "data", memory.collections().stream().map(MemoryEndpoints::collection).toList()));
    }

    private void deleteCollection(Exchange ex) throws Exception {
        if (!memory.deleteCollection(ex.pathParam("name"))) {
            throw notFound(ex.pathParam("name"));
        }
        ex.send(204, "application/json", new byte[0]);
    }

    private void putDocument(Exchange ex) throws Exception {
        JsonNode body = object(ex);
        String id = string(body, "id", true);
        String content = string(body, "content", true);
        Map<String, Object> metadata = metadata(body.get("metadata"));
        MemoryService.Written w = call(ex, () -> memory.putDocument(ex.pathParam("name"), id, content, metadata));
        ex.sendJson(w.created() ? 201 : 200, Map.of("id", w.id(), "created", w.created(), "changed", w.changed(), "chunks", w.chunks()));
    }

    private void getDocument(Exchange ex) throws Exception {
        if (ex.query("id").isEmpty()) {
            listDocuments(ex);
            return;
        }
        String id = ex.query("id").orElseThrow();
        MemoryStore.StoredDocument d = call(ex, () -> memory.document(ex.pathParam("name"), id)).orElseThrow(() ->
                ApiException.notFound("document_not_found", "there is no document '" + id + "'"));
        ex.sendJson(200, Map.of("id", d.id(), "content", d.content(), "metadata", d.metadata(), "updated_at", d.updatedAt()));
    }

    static final int MAX_LIST = 10_000;

    /** Without {@code id}: a page of the documents (id, content_hash, updated_at), {@code ?after=ID&limit=N}. */
    private void listDocuments(Exchange ex) throws Exception {
        String after = ex.query("after").orElse(null);
        int limit;
        try {
            limit = Integer.parseInt(ex.query("limit").orElse("1000"));
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LIST) {
            throw ApiException.badRequest("invalid_value", "'limit' must be a whole number from 1 to " + MAX_LIST);
        }
        int n = limit;
        List<MemoryStore.DocumentSummary> page = call(ex, () -> memory.listDocuments(ex.pathParam("name"), after, n + 1));
        boolean more = page.size() > n;
        List<Map<String, Object>> data = page.subList(0, Math.min(n, page.size())).stream()
                .map(d -> Map.<String, Object>of("id", d.id(), "content_hash", d.contentHash(), "updated_at", d.updatedAt()))
                .toList();
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("object", "list");
        out.put("data", data);
        out.put("has_more", more);
        if (more) {
            out.put("next_after", page.get(n - 1).id());
        }
        ex.sendJson(200, out);
    }

    private void deleteDocument(Exchange ex) throws Exception {
        String id = ex.query("id").orElseThrow(() -> ApiException.badRequest("invalid_request", "the 'id' query parameter is required"));
        if (!call(ex, () -> memory.deleteDocument(ex.pathParam("name"), id))) {
            throw ApiException.notFound("document_not_found", "there is no document '" + id + "'");
        }
        ex.send(204, "application/json", new byte[0]);
    }

    private void search(Exchange ex) throws Exception {
        JsonNode body = object(ex);
        String query = string(body, "query", true);
        SearchMode mode = RequestFields.mode(body);
        int k = RequestFields.k(body, 10);
        List<Filter> filters = RequestFields.filters(body.get("filters"));
        List<Hit> hits = call(ex, () -> memory.search(ex.pathParam("name"), mode, query, filters, k));
        ex.sendJson(200, Map.of("object", "list", "mode", mode.name().toLowerCase(Locale.ROOT),
                "data", hits.stream().map(RequestFields::hit).toList()));
    }

    private static Map<String, Object> metadata(JsonNode node) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("invalid_type", "'metadata' must be an object");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getValue().isString()) {
                out.put(e.getKey(), e.getValue().asString());
            } else if (e.getValue().isNumber()) {
                out.put(e.getKey(), e.getValue().numberValue());
            } else {
                throw ApiException.badRequest("invalid_type", "'metadata." + e.getKey() + "' must be a text or a number");
            }
        }
        return out;
    }

    private static Map<String, Object> collection(MemoryStore.Collection c) {
        return Map.of("name", c.name(), "model", c.model(), "dimension", c.dimension(), "created_at", c.createdAt());
    }

    private static ApiException notFound(String collection) {
        return ApiException.notFound("collection_not_found", "there is no collection '" + collection + "'");
    }

    private interface Call<T> {
        T get() throws Exception;
    }

    /** Runs a call of the service, turning its refusals into 404 (no such collection) or 400. */
    private static <T> T call(Exchange ex, Call<T> call) throws Exception {
        try {
            return call.get();
        } catch (MemoryService.NoSuchCollectionException e) {
            throw notFound(ex.pathParam("name"));
        } catch (EmbeddingUnavailableException e) {
            throw e.toApi();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_value", e.getMessage());
        }
    }
}
