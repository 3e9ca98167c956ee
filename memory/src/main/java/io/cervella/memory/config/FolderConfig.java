package io.cervella.memory.config;

import io.cervella.core.config.ConfigException;

/**
 * A folder the server keeps mirrored into a collection, as written under {@code memory.folders[]}: its
 * Markdown and text files are ingested at start and every {@code scan_interval_seconds} (only changed
 * files are embedded again; deleted files leave the collection).
 *
 * @param model the collection's embedding model when the server creates it; default: memory.embedding_model
 */
public record FolderConfig(String path, String collection, String model, Double scanIntervalSeconds) {
    public FolderConfig {
        ConfigException.check(path != null && !path.isBlank(), "path", "is required");
        ConfigException.check(collection != null && !collection.isBlank(), "collection", "is required");
        scanIntervalSeconds = scanIntervalSeconds == null ? 60.0 : scanIntervalSeconds;
        ConfigException.check(scanIntervalSeconds >= 1, "scan_interval_seconds", "must be at least 1");
    }
}
