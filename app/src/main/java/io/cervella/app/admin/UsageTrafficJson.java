package io.cervella.app.admin;

import io.cervella.core.http.Json;
import io.cervella.core.usage.UsageTraffic;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The answer of {@code GET /admin/usage/traffic}, both ways: the server writes it, the CLI reads it
 * back into the same record (one wire format, kept in one place).
 */
public final class UsageTrafficJson {
    private UsageTrafficJson() {}

    public static ObjectNode toJson(UsageTraffic t) {
        ObjectNode o = Json.object();
        o.put("from", t.from().toString());
        o.put("to", t.to().toString());
        o.put("days", t.days());
        if (t.model() == null) {
            o.putNull("model");
        } else {
            o.put("model", t.model());
        }
        o.put("requests", t.requests());
        o.put("errors", t.errors());
        ArrayNode hourly = o.putArray("hourly");
        t.hourly().forEach(hourly::add);
        putNullable(o, "prompt_tokens_mean", t.promptTokensMean());
        putNullable(o, "completion_tokens_mean", t.completionTokensMean());
        o.put("peak_concurrency", t.peakConcurrency());
        putNullable(o, "ttft_p95_ms", t.ttftP95Ms());
        o.put("sampled", t.sampled());
        ObjectNode byModel = o.putObject("requests_by_model");
        t.requestsByModel().forEach(byModel::put);
        return o;
    }

    /** Reads an answer back; a missing or mistyped field is an IllegalArgumentException naming it. */
    public static UsageTraffic fromJson(JsonNode o) {
        List<Long> hourly = new ArrayList<>();
        for (JsonNode h : require(o, "hourly", JsonNode::isArray)) {
            hourly.add(h.asLong());
        }
        Map<String, Long> byModel = new LinkedHashMap<>();
        require(o, "requests_by_model", JsonNode::isObject).properties().forEach(e -> byModel.put(e.getKey(), e.getValue().asLong()));
        JsonNode model = o.path("model");
        return new UsageTraffic(Instant.parse(require(o, "from", JsonNode::isString).asString()),
                Instant.parse(require(o, "to", JsonNode::isString).asString()),
                require(o, "days", JsonNode::isNumber).asDouble(),
                model.isString() ? model.asString() : null,
                require(o, "requests", JsonNode::isIntegralNumber).asLong(),
                require(o, "errors", JsonNode::isIntegralNumber).asLong(),
                hourly, nullableDouble(o, "prompt_tokens_mean"), nullableDouble(o, "completion_tokens_mean"),
                require(o, "peak_concurrency", JsonNode::isIntegralNumber).asInt(),
                nullableDouble(o, "ttft_p95_ms"),
                require(o, "sampled", JsonNode::isBoolean).asBoolean(), byModel);
    }

    private static JsonNode require(JsonNode o, String field, java.util.function.Predicate<JsonNode> ok) {
        JsonNode v = o.path(field);
        if (!ok.test(v)) {
            throw new IllegalArgumentException("usage traffic answer: '" + field + "' is missing or of the wrong type");
        }
        return v;
    }

    private static Double nullableDouble(JsonNode o, String field) {
        JsonNode v = o.path(field);
        if (v.isNull()) {
            return null;
        }
        return require(o, field, JsonNode::isNumber).asDouble();
    }

    private static void putNullable(ObjectNode o, String field, Double v) {
        if (v == null) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }
}
