package io.cervella.memory.embedding;

import java.util.List;

/** Turns texts into unit-length vectors whose dot product measures how close their meanings are. */
public interface EmbeddingModel extends AutoCloseable {
    /** The name collections record, so that a query is never compared with vectors of another model. */
    String name();

    int dimension();

    /**
     * One vector per text, in order (any number of texts: the model batches them as suits it); the
     * texts' token counts in {@code tokens} when it is not null.
     */
    float[][] embed(List<String> texts, int[] tokens);

    @Override
    void close();
}
