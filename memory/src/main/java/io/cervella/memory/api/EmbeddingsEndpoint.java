package io.cervella.memory.api;

import io.cervella.core.http.ApiException;
import io.cervella.core.http.Endpoint;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Route;
import io.cervella.core.keys.Scope;
import io.cervella.core.usage.TimeOrderedIds;
import io.cervella.core.usage.UsageEvent;
import io.cervella.core.usage.UsageLedger;
import io.cervella.memory.embedding.EmbeddingModel;
import io.cervella.memory.embedding.EmbeddingUnavailableException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/embeddings}, OpenAI-compatible: {@code input} a string or an array of strings,
 * {@code encoding_format} float (default) or base64 (little-endian float32, as OpenAI sends it),
 * {@code usage} with the tokens the model read. Served by the in-process models, or relayed to an
 * {@code openai} embedding model; each request is a row in the usage ledger.
 */
public final class EmbeddingsEndpoint implements Endpoint {
    /** OpenAI's limit on inputs per request. */
    static final int MAX_INPUTS = 2048;
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingsEndpoint.class);
    private final Map<String, EmbeddingModel> models;
    private final UsageLedger ledger;

    public EmbeddingsEndpoint(List<EmbeddingModel> models, UsageLedger ledger) {
        this.models = new LinkedHashMap<>();
        models.forEach(m -> this.models.put(m.name(), m));
        this.ledger = ledger;
    }

    public List<Route> routes() {
        return List.of(Route.of("POST", "/v1/embeddings", Scope.EMBEDDINGS, this));
    }

    @Override
    public void handle(Exchange ex) throws Exception {
        JsonNode body = ex.jsonBody();
        if (!body.isObject()) {
            throw ApiException.badRequest("invalid_request", "the request body must be a JSON object");
        }
        JsonNode modelField = body.get("model");
        if (modelField == null || !modelField.isString()) {
            throw ApiException.badRequest("invalid_type", "'model' must be a string");
        }
        EmbeddingModel model = models.get(modelField.asString());
        if (model == null) {
            throw ApiException.notFound("model_not_found", "the embedding model '" + modelField.asString()
                    + "' does not exist; available: " + String.join(", ", models.keySet()));
        }
        List<String> inputs = inputs(body.get("input"));
        String format = body.path("encoding_format").asString("float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.badRequest("invalid_value", "'encoding_format' must be float or base64");
        }
        JsonNode dimensions = body.get("dimensions");
        if (dimensions != null && !dimensions.isNull() && dimensions.asInt(-1) != dimension(model)) {
            throw ApiException.badRequest("invalid_value", "'" + model.name() + "' makes vectors of " + model.dimension()
                    + " dimensions only");
        }

        long start = System.nanoTime();
        int[] counts = new int[inputs.size()];
        float[][] vectors;
        try {
            vectors = model.embed(inputs, counts);
        } catch (EmbeddingUnavailableException e) {
            record(ex, model, 503, 0, start);
            throw e.toApi();
        }
        List<Map<String, Object>> data = new ArrayList<>(inputs.size());
        long tokens = 0;
        for (int i = 0; i < vectors.length; i++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("object", "embedding");
            item.put("index", i);
            item.put("embedding", format.equals("base64") ? base64(vectors[i]) : vectors[i]);
            data.add(item);
            tokens += counts[i];
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("object", "list");
        response.put("data", data);
        response.put("model", model.name());
        response.put("usage", Map.of("prompt_tokens", tokens, "total_tokens", tokens));
        record(ex, model, 200, tokens, start);
        ex.sendJson(200, response);
    }

    /** A row in the usage ledger, committed before the answer goes out (as for chat completions). */
    private void record(Exchange ex, EmbeddingModel model, int status, long tokens, long startNanos) {
        long now = System.currentTimeMillis();
        UsageEvent event = new UsageEvent(TimeOrderedIds.next(now), Instant.ofEpochMilli(now), ex.key().id(), model.name(),
                model.backend(), status, false, tokens, 0, false, (System.nanoTime() - startNanos) / 1e6, null, 0);
        try {
            ledger.record(event).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.error("usage ledger: embeddings request {} of key {} not recorded: {}", event.id(), event.keyId(), e.toString());
        }
    }

    private static int dimension(EmbeddingModel model) {
        try {
            return model.dimension();
        } catch (EmbeddingUnavailableException e) {
            throw e.toApi();
        }
    }

    private static List<String> inputs(JsonNode input) {
        if (input == null || input.isNull()) {
            throw ApiException.badRequest("invalid_type", "'input' is required: a string or an array of strings");
        }
        List<String> out = new ArrayList<>();
        if (input.isString()) {
            out.add(input.asString());
        } else if (input.isArray()) {
            for (int i = 0; i < input.size(); i++) {
                JsonNode item = input.get(i);
                if (!item.isString()) {
                    throw ApiException.badRequest("invalid_type", "'input[" + i + "]' must be a string (token arrays are not"
                            + " supported: the model has its own tokenizer)");
                }
                out.add(item.asString());
            }
        } else {
            throw ApiException.badRequest("invalid_type", "'input' must be a string or an array of strings");
        }
        if (out.isEmpty() || out.size() > MAX_INPUTS) {
            throw ApiException.badRequest("invalid_value", "'input' takes 1 to " + MAX_INPUTS + " texts");
        }
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).isEmpty()) {
                throw ApiException.badRequest("invalid_value", "'input[" + i + "]' is empty");
            }
        }
        return out;
    }

    private static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(b.array());
    }
}
