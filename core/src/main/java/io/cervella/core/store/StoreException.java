package io.cervella.core.store;

/** The metadata database could not be opened, migrated or used. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
