package io.cervella.memory.config;

import io.cervella.core.config.ConfigException;
import java.util.Locale;

/**
 * An embedding model besides the built-in all-minilm-l6-v2, as written under {@code memory.embedding_models[]}.
 *
 * @param type           {@code onnx}: a model file and its tokenizer.json on this machine; {@code openai}: an
 *                       OpenAI-compatible /embeddings server
 * @param onnx           the .onnx file (type onnx)
 * @param tokenizer      its tokenizer.json (type onnx; WordPiece, Unigram or BPE)
 * @param pooling        {@code mean} (sentence-transformers, e5; default) or {@code cls} (bge)
 * @param maxTokens      the model's input length; default 512
 * @param threads        ONNX Runtime threads; default all cores
 * @param queryPrefix    put before search queries, e.g. "query: " for e5 models
 * @param documentPrefix put before stored chunks, e.g. "passage: " for e5 models
 * @param url            base URL with /v1 (type openai)
 * @param model          the name that server expects; default: this model's name
 * @param apiKeyEnv      environment variable holding that server's key
 * @param caFile         PEM file of a private CA the server's certificate is signed by
 * @param dimension      the vectors' length; default: asked of the server on first use
 * @param batchSize      texts per request; default 64
 * @param timeoutSeconds longest wait for one request; default 60
 */
public record EmbeddingModelConfig(String name, String type, String onnx, String tokenizer, String pooling,
                                   Integer maxTokens, Integer threads, String queryPrefix, String documentPrefix,
                                   String url, String model, String apiKeyEnv, String caFile, Integer dimension,
                                   Integer batchSize, Double timeoutSeconds) {
    public EmbeddingModelConfig {
        ConfigException.check(name != null && name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}"), "name",
                "is required: letters, digits, '.', '_' or '-', at most 64");
        ConfigException.check("onnx".equals(type) || "openai".equals(type), "type",
                "must be onnx or openai, was '" + type + "'");
        if (type.equals("onnx")) {
            ConfigException.check(onnx != null && !onnx.isBlank(), "onnx", "is required for an onnx model: the .onnx file");
            ConfigException.check(tokenizer != null && !tokenizer.isBlank(), "tokenizer",
                    "is required for an onnx model: its tokenizer.json");
        } else {
            ConfigException.check(url != null && (url.startsWith("http://") || url.startsWith("https://")), "url",
                    "is required for an openai model: an http:// or https:// base URL with /v1");
        }
        pooling = pooling == null ? "mean" : pooling.toLowerCase(Locale.ROOT);
        ConfigException.check(pooling.equals("mean") || pooling.equals("cls"), "pooling", "must be mean or cls");
        maxTokens = maxTokens == null ? 512 : maxTokens;
        ConfigException.check(maxTokens >= 8 && maxTokens <= 32768, "max_tokens", "must be between 8 and 32768");
        threads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        ConfigException.check(threads >= 1, "threads", "must be at least 1");
        queryPrefix = queryPrefix == null ? "" : queryPrefix;
        documentPrefix = documentPrefix == null ? "" : documentPrefix;
        model = model == null ? name : model;
        ConfigException.check(dimension == null || dimension >= 1, "dimension", "must be positive");
        batchSize = batchSize == null ? 64 : batchSize;
        ConfigException.check(batchSize >= 1 && batchSize <= 2048, "batch_size", "must be between 1 and 2048");
        timeoutSeconds = timeoutSeconds == null ? 60.0 : timeoutSeconds;
        ConfigException.check(timeoutSeconds > 0, "timeout_seconds", "must be positive");
    }
}
