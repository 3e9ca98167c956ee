package io.cervella.memory.api;

import io.cervella.core.http.ApiException;
import io.cervella.core.http.Exchange;
import io.cervella.memory.index.Filter;
import io.cervella.memory.index.Hit;
import io.cervella.memory.index.SearchMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The request fields search and ask share, read with 400s that name the field, and a hit as JSON. */
final class RequestFields {
    static final int MAX_K = 100;

    private RequestFields() {}

    static SearchMode mode(JsonNode body) {
        try {
            return SearchMode.valueOf(body.path("mode").asString("hybrid").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_value", "'mode' is vector, keyword or hybrid");
        }
    }

    static int k(JsonNode body, int defaultK) {
        JsonNode v = body.get("k");
        if (v == null || v.isNull()) {
            return defaultK;
        }
        if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > MAX_K) {
            throw ApiException.badRequest("invalid_value", "'k' must be a whole number between 1 and " + MAX_K);
        }
        return v.asInt();
    }

    static Map<String, Object> hit(Hit h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("document", h.documentId());
        m.put("chunk", h.chunkIndex());
        m.put("headings", h.headings());
        m.put("start", h.start());
        m.put("end", h.end());
        m.put("text", h.text());
        m.put("score", h.score());
        return m;
    }

    /** Filters: [{"field": f, "eq": text} | {"field": f, "in": [texts]} | {"field": f, "gte": n, "lte": n}]. */
    static List<Filter> filters(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ApiException.badRequest("invalid_type", "'filters' must be an array");
        }
        List<Filter> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode f = node.get(i);
            String field = f.path("field").asString("");
            String where = "'filters[" + i + "]'";
            if (field.isEmpty()) {
                throw ApiException.badRequest("invalid_value", where + " needs a 'field'");
            }
            if (f.path("eq").isString()) {
                out.add(new Filter.Equals(field, f.path("eq").asString()));
            } else if (f.path("in").isArray()) {
                List<String> values = new ArrayList<>();
                f.path("in").forEach(v -> values.add(v.asString()));
                out.add(new Filter.AnyOf(field, values));
            } else if (f.path("gte").isNumber() || f.path("lte").isNumber()) {
                out.add(new Filter.Range(field, f.path("gte").isNumber() ? f.path("gte").asDouble() : null,
                        f.path("lte").isNumber() ? f.path("lte").asDouble() : null));
            } else {
                throw ApiException.badRequest("invalid_value", where + " needs 'eq' (a text), 'in' (texts) or 'gte'/'lte' (numbers)");
            }
        }
        return out;
    }

    static JsonNode object(Exchange ex) throws Exception {
        JsonNode body = ex.jsonBody();
        if (!body.isObject()) {
            throw ApiException.badRequest("invalid_request", "the request body must be a JSON object");
        }
        return body;
    }

    static String string(JsonNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiException.badRequest("invalid_request", "'" + field + "' is required");
            }
            return null;
        }
        if (!v.isString() || (required && v.asString().isEmpty())) {
            throw ApiException.badRequest("invalid_type", "'" + field + "' must be a non-empty string");
        }
        return v.asString();
    }

}
