package io.cervella.memory.embedding;

import java.util.List;

/**
 * A model trained to read its texts with a prefix that says what they are: multilingual-e5 wants
 * "query: " before a search and "passage: " before what is searched. Without them its vectors match
 * worse. Raw {@link #embed} calls (/v1/embeddings) pass through untouched: that caller adds its own.
 */
public final class InstructedEmbeddingModel implements EmbeddingModel {
    private final EmbeddingModel model;
    private final String queryPrefix;
    private final String documentPrefix;

    public InstructedEmbeddingModel(EmbeddingModel model, String queryPrefix, String documentPrefix) {
        this.model = model;
        this.queryPrefix = queryPrefix;
        this.documentPrefix = documentPrefix;
    }

    @Override public String name() { return model.name(); }
    @Override public int dimension() { return model.dimension(); }
    @Override public String backend() { return model.backend(); }

    @Override
    public float[][] embed(List<String> texts, int[] tokens) {
        return model.embed(texts, tokens);
    }

    @Override
    public float[][] embedDocuments(List<String> texts) {
        return model.embed(texts.stream().map(t -> documentPrefix + t).toList(), null);
    }

    @Override
    public float[] embedQuery(String query) {
        return model.embed(List.of(queryPrefix + query), null)[0];
    }

    @Override
    public void close() {
        model.close();
    }
}
