package io.cervella.inference.engine.gguf;

/** A GGUF file that cannot be used: corrupt, truncated, or asking for something we do not support. */
public final class GgufException extends RuntimeException {
    public GgufException(String message) {
        super(message);
    }

    public GgufException(String message, Throwable cause) {
        super(message, cause);
    }
}
