package io.cervella.app.cli;

import io.cervella.app.CervellaConfig;
import io.cervella.app.DataDirectory;
import io.cervella.core.store.MetadataStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens a stopped server's metadata store, the same one its config names. */
final class LocalData {
    private LocalData() {}

    static MetadataStore open(Path data) {
        if (!Files.isDirectory(data)) {
            throw new IllegalArgumentException("--data " + data + ": no such directory (run cervella serve once, or"
                    + " pass --server to talk to a running one)");
        }
        CervellaConfig config = CervellaConfig.load(null, data);
        return new DataDirectory(data).openStore(config.database());
    }
}
