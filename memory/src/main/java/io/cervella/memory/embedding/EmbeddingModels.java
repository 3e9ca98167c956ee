package io.cervella.memory.embedding;

import io.cervella.core.config.ConfigException;
import io.cervella.core.tls.TlsContexts;
import io.cervella.memory.config.EmbeddingModelConfig;
import io.cervella.memory.config.MemoryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The embedding models of a config: the built-in all-minilm-l6-v2 first, then those of
 * {@code memory.embedding_models}, with {@code memory.embedding_model} (the default of new collections)
 * moved to the front. Files and keys are checked now (a wrong path stops the start with the key's name);
 * models are loaded on first use.
 */
public final class EmbeddingModels {
    private EmbeddingModels() {}

    public static List<EmbeddingModel> fromConfig(MemoryConfig config, Function<String, String> env) {
        List<EmbeddingModel> models = new ArrayList<>();
        models.add(new LazyEmbeddingModel(OnnxEmbeddingModel.DEFAULT_NAME,
                () -> OnnxEmbeddingModel.loadDefault(Runtime.getRuntime().availableProcessors())));
        for (int i = 0; i < config.embeddingModels().size(); i++) {
            EmbeddingModelConfig m = config.embeddingModels().get(i);
            String where = "memory.embedding_models[" + i + "].";
            EmbeddingModel model = m.type().equals("onnx") ? onnx(m, where) : openai(m, where, env);
            models.add(m.queryPrefix().isEmpty() && m.documentPrefix().isEmpty() ? model
                    : new InstructedEmbeddingModel(model, m.queryPrefix(), m.documentPrefix()));
        }
        EmbeddingModel first = models.stream().filter(m -> m.name().equals(config.embeddingModel())).findFirst().orElseThrow();
        models.remove(first);
        models.addFirst(first);
        return models;
    }

    private static EmbeddingModel onnx(EmbeddingModelConfig m, String where) {
        Path onnx = existing(m.onnx(), where + "onnx");
        Path tokenizer = existing(m.tokenizer(), where + "tokenizer");
        OnnxEmbeddingModel.Pooling pooling = m.pooling().equals("cls") ? OnnxEmbeddingModel.Pooling.CLS
                : OnnxEmbeddingModel.Pooling.MEAN;
        return new LazyEmbeddingModel(m.name(), () -> {
            try {
                return OnnxEmbeddingModel.load(m.name(), onnx, tokenizer, pooling, m.maxTokens(), m.threads());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static EmbeddingModel openai(EmbeddingModelConfig m, String where, Function<String, String> env) {
        String key = null;
        if (m.apiKeyEnv() != null) {
            key = env.apply(m.apiKeyEnv());
            ConfigException.check(key != null && !key.isBlank(), where + "api_key_env",
                    "the environment variable " + m.apiKeyEnv() + " is not set");
        }
        javax.net.ssl.SSLContext trust = null;
        if (m.caFile() != null) {
            try {
                trust = TlsContexts.clientTrusting(existing(m.caFile(), where + "ca_file"));
            } catch (ConfigException e) {
                throw e;
            } catch (Exception e) {
                throw new ConfigException(where + "ca_file: " + e.getMessage(), e);
            }
        }
        return new OpenAiEmbeddingModel(m.name(), m.url(), m.model(), key, m.dimension() == null ? 0 : m.dimension(),
                m.batchSize(), Duration.ofMillis((long) (m.timeoutSeconds() * 1000)), trust);
    }

    private static Path existing(String file, String key) {
        Path p = Path.of(file);
        ConfigException.check(Files.isRegularFile(p), key, "no such file: " + file);
        return p;
    }
}
