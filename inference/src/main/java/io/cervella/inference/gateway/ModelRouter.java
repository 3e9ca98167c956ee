package io.cervella.inference.gateway;

import io.cervella.core.config.ConfigException;
import io.cervella.inference.config.BackendConfig;
import io.cervella.inference.config.ModelConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The configured models and their backends. */
public final class ModelRouter {
    private final Map<String, List<Backend>> byModel = new LinkedHashMap<>();
    private final Map<String, Integer> contextTokens = new LinkedHashMap<>();

    /**
     * @param env how to read an environment variable (System::getenv in production)
     */
    public ModelRouter(List<ModelConfig> models, Function<String, String> env) {
        for (int m = 0; m < models.size(); m++) {
            ModelConfig model = models.get(m);
            if (byModel.containsKey(model.name())) {
                throw new ConfigException("models[" + m + "].name: the model '" + model.name() + "' is defined twice");
            }
            List<Backend> backends = new ArrayList<>();
            for (int b = 0; b < model.backends().size(); b++) {
                BackendConfig bc = model.backends().get(b);
                String where = "models[" + m + "].backends[" + b + "]";
                if (bc.type().equals("embedded") && !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(bc.path()))) {
                    throw new ConfigException(where + ".path: no such file: " + bc.path());
                }
                String key = null;
                if (bc.apiKeyEnv() != null) {
                    key = env.apply(bc.apiKeyEnv());
                    if (key == null || key.isBlank()) {
                        throw new ConfigException(where + ".api_key_env: the environment variable "
                                + bc.apiKeyEnv() + " is not set");
                    }
                }
                backends.add(new Backend(model.name(), model.contextTokens(), bc, key));
            }
            byModel.put(model.name(), List.copyOf(backends));
            contextTokens.put(model.name(), model.contextTokens());
        }
    }

    public Collection<String> modelNames() {
        return byModel.keySet();
    }

    /** The model's context length in tokens; 0 for a model that is not configured. */
    public int contextTokens(String model) {
        return contextTokens.getOrDefault(model, 0);
    }

    public List<Backend> backends(String model) {
        return byModel.getOrDefault(model, List.of());
    }

    /** Backends whose worker the core runs itself. */
    public List<Backend> embeddedBackends() {
        return allBackends().stream().filter(Backend::embedded).toList();
    }

    public List<Backend> allBackends() {
        return byModel.values().stream().flatMap(List::stream).toList();
    }

    /** Healthy backends in config order, then the others as a last resort. */
    List<Backend> candidates(String model) {
        List<Backend> all = backends(model);
        List<Backend> out = new ArrayList<>(all.size());
        for (Backend b : all) {
            if (b.healthy()) {
                out.add(b);
            }
        }
        for (Backend b : all) {
            if (!b.healthy()) {
                out.add(b);
            }
        }
        return out;
    }
}
