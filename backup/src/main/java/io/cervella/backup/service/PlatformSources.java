package io.cervella.backup.service;

import io.cervella.backup.source.Source;
import java.io.IOException;
import java.util.List;

/**
 * What the app hands the backups: the platform's sources, in order (the database first), and a hold
 * that keeps the vault's prune away from the first listing to the last read.
 */
public interface PlatformSources {
    List<Source> open() throws IOException;

    AutoCloseable holdMaintenance();
}
