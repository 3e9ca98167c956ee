package io.cervella.memory.index;

import io.cervella.memory.chunk.Chunk;
import java.util.Map;

/**
 * A chunk of a document ready for the index: its vector, the document's metadata (values are texts or
 * numbers; numbers can be filtered by range, texts by equality and sets) and the document's version
 * (its content hash: what the index holds can be checked against the database).
 */
public record IndexedChunk(String documentId, Chunk chunk, float[] vector, Map<String, Object> metadata, String version) {
    public IndexedChunk(String documentId, Chunk chunk, float[] vector, Map<String, Object> metadata) {
        this(documentId, chunk, vector, metadata, "");
    }

    public IndexedChunk {
        metadata = Map.copyOf(metadata);
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            if (!(e.getValue() instanceof String) && !(e.getValue() instanceof Number)) {
                throw new IllegalArgumentException("metadata '" + e.getKey() + "' must be a text or a number");
            }
        }
    }
}
