package io.cervella.memory.embedding;

import java.util.List;
import java.util.function.Supplier;

/**
 * A model loaded on first use: a platform that never embeds does not pay the model's load time and
 * memory at every start.
 */
public final class LazyEmbeddingModel implements EmbeddingModel {
    private final String name;
    private final Supplier<? extends EmbeddingModel> loader;
    private volatile EmbeddingModel model;
    private boolean closed;

    public LazyEmbeddingModel(String name, Supplier<? extends EmbeddingModel> loader) {
        this.name = name;
        this.loader = loader;
    }

    private EmbeddingModel model() {
        EmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("the embedding model is closed");
                }
                m = model;
                if (m == null) {
                    try {
                        m = loader.get();
                    } catch (RuntimeException e) {
                        throw new EmbeddingUnavailableException("the embedding model '" + name + "' does not load: "
                                + e.getMessage(), e);
                    }
                    if (!m.name().equals(name)) {
                        m.close();
                        throw new IllegalStateException("expected the model '" + name + "', loaded '" + m.name() + "'");
                    }
                    model = m;
                }
            }
        }
        return m;
    }

    @Override public String name() { return name; }
    @Override public int dimension() { return model().dimension(); }

    @Override
    public float[][] embed(List<String> texts, int[] tokens) {
        return model().embed(texts, tokens);
    }

    @Override
    public float[][] embedDocuments(List<String> texts) {
        return model().embedDocuments(texts);
    }

    @Override
    public float[] embedQuery(String query) {
        return model().embedQuery(query);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (model != null) {
            model.close();
        }
    }
}
