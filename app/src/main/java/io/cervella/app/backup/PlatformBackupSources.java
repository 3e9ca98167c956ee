package io.cervella.app.backup;

import io.cervella.app.CervellaConfig;
import io.cervella.app.DataDirectory;
import io.cervella.backup.service.PlatformSources;
import io.cervella.backup.source.BlobStoreSource;
import io.cervella.backup.source.DirectorySource;
import io.cervella.backup.source.Source;
import io.cervella.backup.source.PostgresSource;
import io.cervella.backup.source.SqliteSource;
import io.cervella.core.store.MetadataStore;
import java.nio.file.Path;
import io.cervella.core.blob.BlobStore;
import io.cervella.vault.VaultService;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What a snapshot of this platform holds (docs/formats/backup.md, What a snapshot holds), in order:
 * the database (copied at one instant), the configuration files, the TLS material, and every blob of
 * the vault's store (local or a bucket: restored as a local vault). The vault's blobs need no key to
 * be copied: they are encrypted already. The memory's indexes are left out: rebuilt at start.
 */
public final class PlatformBackupSources implements PlatformSources {
    private final DataDirectory data;
    private final CervellaConfig config;
    private final Function<String, String> env;
    private final MetadataStore store; // PostgreSQL is exported through it; SQLite is copied from its file
    private final VaultService vault; // null when the vault is locked, or in a CLI run: nothing to hold

    public PlatformBackupSources(DataDirectory data, CervellaConfig config, Function<String, String> env, MetadataStore store,
                                 VaultService vault) {
        this.data = data;
        this.config = config;
        this.env = env;
        this.store = store;
        this.vault = vault;
    }

    @Override
    public List<Source> open() throws IOException {
        List<Source> out = new ArrayList<>();
        Path scratch = data.root().resolve("backups").resolve(".scratch");
        String url = config.database().url();
        if (url != null && url.startsWith("jdbc:postgresql:")) {
            out.add(new PostgresSource(store.dataSource(), scratch));
        } else {
            out.add(new SqliteSource(url != null ? Path.of(url.substring("jdbc:sqlite:".length())) : data.database(), scratch));
        }
        out.add(new DirectorySource("config", data.root(), List.of("cervella.yaml", "admin.key", "node.token")));
        out.add(new DirectorySource("tls", data.root(), List.of("tls")));
        BlobStore vaultStore = config.vault().store().open(data.vault(), env, "vault.store");
        out.add(new ClosingSource(new BlobStoreSource("vault", vaultStore, "vault/"), vaultStore));
        return out;
    }

    @Override
    public AutoCloseable holdMaintenance() {
        return vault == null ? () -> {} : vault.holdPrune();
    }

    /** A source that closes the store it reads when it is closed. */
    private record ClosingSource(Source inner, BlobStore store) implements Source {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public List<io.cervella.backup.source.SourceFile> files() throws IOException {
            return inner.files();
        }

        @Override
        public void close() throws IOException {
            inner.close();
            store.close();
        }
    }
}
