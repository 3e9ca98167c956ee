package io.cervella.memory.embedding;

/** A remote embedding model could not embed (down, refused, malformed answer): nothing was written. */
public final class EmbeddingUnavailableException extends RuntimeException {
    public EmbeddingUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** What a client gets: 503, the server's model cannot embed now (its operator has to look). */
    public io.cervella.core.http.ApiException toApi() {
        return new io.cervella.core.http.ApiException(503, "server_error", "embedding_model_unavailable", getMessage());
    }
}
