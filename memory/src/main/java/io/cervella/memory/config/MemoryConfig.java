package io.cervella.memory.config;

import io.cervella.core.config.ConfigException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code memory:} section of the config.
 *
 * @param chatModel      the model ask uses when a request names none; default: the only configured model
 * @param embeddingModel the model of collections created without one; default all-minilm-l6-v2
 * @param followIntervalSeconds how often this node looks for writes other nodes made to the shared
 *                              database (and brings its indexes in line); default 2
 */
public record MemoryConfig(String chatModel, String embeddingModel, List<EmbeddingModelConfig> embeddingModels,
                           List<FolderConfig> folders, Double followIntervalSeconds) {
    public static final String BUILT_IN_MODEL = "all-minilm-l6-v2";

    public MemoryConfig {
        embeddingModel = embeddingModel == null ? BUILT_IN_MODEL : embeddingModel;
        embeddingModels = embeddingModels == null ? List.of() : List.copyOf(embeddingModels);
        folders = folders == null ? List.of() : List.copyOf(folders);
        followIntervalSeconds = followIntervalSeconds == null ? 2.0 : followIntervalSeconds;
        ConfigException.check(followIntervalSeconds >= 0.1, "follow_interval_seconds", "must be at least 0.1");
        Set<String> names = new HashSet<>(Set.of(BUILT_IN_MODEL));
        for (int i = 0; i < embeddingModels.size(); i++) {
            ConfigException.check(names.add(embeddingModels.get(i).name()), "embedding_models[" + i + "].name",
                    "'" + embeddingModels.get(i).name() + "' is taken (by another model or the built-in one)");
        }
        ConfigException.check(names.contains(embeddingModel), "embedding_model",
                "'" + embeddingModel + "' is neither the built-in " + BUILT_IN_MODEL + " nor in embedding_models");
        Set<String> collections = new HashSet<>();
        for (int i = 0; i < folders.size(); i++) {
            FolderConfig f = folders.get(i);
            ConfigException.check(collections.add(f.collection()), "folders[" + i + "].collection",
                    "'" + f.collection() + "' is mapped twice: a collection mirrors one folder");
            ConfigException.check(f.model() == null || names.contains(f.model()), "folders[" + i + "].model",
                    "'" + f.model() + "' is not an embedding model of this config");
        }
    }

    public static MemoryConfig defaults() {
        return new MemoryConfig(null, null, null, null, null);
    }
}
