package io.cervella.memory.embedding;

import java.util.List;

/** Turns texts into unit-length vectors whose dot product measures how close their meanings are. */
public interface EmbeddingModel extends AutoCloseable {
    /** The name collections record, so that a query is never compared with vectors of another model. */
    String name();

    int dimension();

    /** Where the model runs, for the usage ledger: "in-process", or the remote server's host:port. */
    default String backend() {
        return "in-process";
    }

    /**
     * One vector per text, in order (any number of texts: the model batches them as suits it); the
     * texts' token counts in {@code tokens} when it is not null.
     */
    float[][] embed(List<String> texts, int[] tokens);

    /**
     * Vectors of passages to be found (the memory's chunks). Models trained with instructions (e5:
     * "passage: ") add theirs here; {@link #embed} takes texts as they are, as /v1/embeddings does.
     */
    default float[][] embedDocuments(List<String> texts) {
        return embed(texts, null);
    }

    /** The vector of a search query ("query: " for e5 models). */
    default float[] embedQuery(String query) {
        return embed(List.of(query), null)[0];
    }

    @Override
    void close();
}
