package io.cervella.memory.embedding;

import io.cervella.core.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An embedding model behind an OpenAI-compatible {@code POST /embeddings} (OpenAI, vLLM, Ollama,
 * llama.cpp server, another Cervella node). Texts go in batches; the vectors come back to unit length,
 * since the index compares them by dot product.
 */
public final class OpenAiEmbeddingModel implements EmbeddingModel {
    private final String name;
    private final URI endpoint;
    private final String upstreamModel;
    private final String apiKey;
    private final int batchSize;
    private final Duration timeout;
    private final HttpClient http;
    private volatile int dimension;

    /**
     * @param baseUrl   the server's base URL with /v1, e.g. https://api.openai.com/v1
     * @param apiKey    the server's key, or null
     * @param dimension the vectors' length if known; 0: asked of the server on first use
     * @param trust     TLS trust for a server with a private CA, or null for the JDK's
     */
    public OpenAiEmbeddingModel(String name, String baseUrl, String upstreamModel, String apiKey, int dimension,
                                int batchSize, Duration timeout, SSLContext trust) {
        this.name = name;
        this.endpoint = URI.create((baseUrl.endsWith("/") ? baseUrl : baseUrl + "/") + "embeddings");
        this.upstreamModel = upstreamModel;
        this.apiKey = apiKey;
        this.dimension = dimension;
        this.batchSize = batchSize;
        this.timeout = timeout;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (trust != null) {
            b.sslContext(trust);
        }
        this.http = b.build();
    }

    @Override public String name() { return name; }

    @Override
    public String backend() {
        int port = endpoint.getPort() != -1 ? endpoint.getPort() : endpoint.getScheme().equals("https") ? 443 : 80;
        return endpoint.getHost() + ":" + port;
    }

    @Override
    public int dimension() {
        if (dimension == 0) {
            dimension = embed(List.of("dimension probe"), null)[0].length;
        }
        return dimension;
    }

    @Override
    public float[][] embed(List<String> texts, int[] tokens) {
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < texts.size(); from += batchSize) {
            int to = Math.min(texts.size(), from + batchSize);
            float[][] batch = call(texts.subList(from, to), tokens, from);
            System.arraycopy(batch, 0, out, from, batch.length);
        }
        return out;
    }

    private float[][] call(List<String> texts, int[] tokens, int offset) {
        ObjectNode body = Json.object();
        body.put("model", upstreamModel);
        body.putPOJO("input", texts);
        body.put("encoding_format", "float");
        HttpRequest.Builder req = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)));
        if (apiKey != null) {
            req.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new EmbeddingUnavailableException("embedding model '" + name + "' at " + endpoint + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddingUnavailableException("interrupted while embedding", e);
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(resp.body());
        } catch (JacksonException e) {
            json = null;
        }
        if (resp.statusCode() / 100 != 2 || json == null) {
            String message = json == null ? "not JSON" : json.path("error").path("message").asString(json.toString());
            throw new EmbeddingUnavailableException("embedding model '" + name + "' at " + endpoint + " answered HTTP "
                    + resp.statusCode() + ": " + message, null);
        }
        JsonNode data = json.path("data");
        if (!data.isArray() || data.size() != texts.size()) {
            throw new EmbeddingUnavailableException("embedding model '" + name + "' answered " + data.size()
                    + " vectors for " + texts.size() + " texts", null);
        }
        float[][] out = new float[texts.size()][];
        for (int position = 0; position < data.size(); position++) {
            JsonNode item = data.get(position);
            // "index" says which input a vector is for; servers that leave it out answer in order
            int index = item.has("index") ? item.path("index").asInt(-1) : position;
            if (index < 0 || index >= out.length || out[index] != null || !item.path("embedding").isArray()) {
                throw new EmbeddingUnavailableException("embedding model '" + name + "' answered a malformed data item", null);
            }
            out[index] = unit(item.path("embedding"));
            if (dimension != 0 && out[index].length != dimension) {
                throw new EmbeddingUnavailableException("embedding model '" + name + "' answered " + out[index].length
                        + " dimensions; " + dimension + " were expected", null);
            }
        }
        if (tokens != null) {
            // the server counts the whole batch only: shared out by length, for the usage figures
            long total = json.path("usage").path("prompt_tokens").asLong(0);
            long chars = texts.stream().mapToLong(String::length).sum();
            for (int i = 0; i < texts.size(); i++) {
                tokens[offset + i] = chars == 0 ? 0 : (int) Math.round((double) total * texts.get(i).length() / chars);
            }
        }
        return out;
    }

    private static float[] unit(JsonNode array) {
        float[] v = new float[array.size()];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) array.get(i).asDouble();
            norm += (double) v[i] * v[i];
        }
        norm = Math.max(Math.sqrt(norm), 1e-12);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] / norm);
        }
        return v;
    }

    @Override
    public void close() {
        http.close();
    }
}
