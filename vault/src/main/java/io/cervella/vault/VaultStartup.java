package io.cervella.vault;

import io.cervella.core.config.ConfigException;
import io.cervella.core.store.MetadataStore;
import io.cervella.core.blob.BlobStore;
import io.cervella.core.blob.LocalBlobStore;
import io.cervella.core.blob.S3BlobStore;
import io.cervella.vault.config.BlobStoreConfig;
import io.cervella.vault.config.UnlockConfig;
import io.cervella.vault.config.VaultConfig;
import io.cervella.vault.index.VaultIndex;
import io.cervella.core.crypto.KeySlot;
import io.cervella.core.crypto.Unlock;
import io.cervella.vault.pack.ChunkStore;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;

/**
 * The vault as a server starts it from its config: the blob store opened, the keys unlocked (a new
 * vault made on the first start with a secret), the service ready; or locked, with the reason a
 * request is told. A secret that opens no key slot stops the start: a wrong passphrase must not look
 * like an empty vault.
 */
public sealed interface VaultStartup extends AutoCloseable {
    record Unlocked(VaultService service, VaultRepository repository, BlobStore store, boolean created) implements VaultStartup {
        @Override
        public void close() throws Exception {
            store.close();
        }
    }

    record Locked(String reason) implements VaultStartup {
        @Override
        public void close() {}
    }

    static VaultStartup open(VaultConfig config, Path defaultFolder, MetadataStore db, Function<String, String> env, Clock clock)
            throws IOException {
        if (!config.enabled()) {
            return new Locked("the vault is disabled in this server's config (vault.enabled: false)");
        }
        Optional<Unlock> unlock = unlock(config.unlock(), env);
        if (unlock.isEmpty()) {
            return new Locked("the vault is locked: start the server with " + config.unlock().passphraseEnv()
                    + " set (or vault.unlock.key_file / key_env in the config)");
        }
        BlobStore store = blobStore(config.store(), defaultFolder, env);
        try {
            boolean created = store.get("config").isEmpty();
            VaultRepository repo;
            if (created) {
                repo = VaultRepository.create(store, unlock.get());
            } else {
                try {
                    repo = VaultRepository.open(store, unlock.get());
                } catch (KeySlot.WrongKeyException e) {
                    throw new ConfigException("vault: " + describe(config.unlock(), unlock.get()) + " opens none of the vault's"
                            + " key slots in " + where(config.store(), defaultFolder) + " (wrong passphrase or key); nothing was changed");
                }
            }
            VaultService service = new VaultService(repo, ChunkStore.open(repo), new VaultIndex(db, repo), clock);
            return new Unlocked(service, repo, store, created);
        } catch (IOException | RuntimeException e) {
            try {
                store.close();
            } catch (Exception ignored) {
                // the error that stopped the start is the one to report
            }
            throw e;
        }
    }

    private static Optional<Unlock> unlock(UnlockConfig u, Function<String, String> env) {
        if (u.keyFile() != null) {
            Path file = Path.of(u.keyFile());
            try {
                return Optional.of(Unlock.RawKey.parse(Files.readString(file, StandardCharsets.US_ASCII).strip()));
            } catch (IOException e) {
                throw new ConfigException("vault.unlock.key_file: cannot read " + file + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("vault.unlock.key_file: " + file + ": " + e.getMessage());
            }
        }
        if (u.keyEnv() != null && env.apply(u.keyEnv()) != null) {
            try {
                return Optional.of(Unlock.RawKey.parse(env.apply(u.keyEnv()).strip()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("vault.unlock.key_env: " + u.keyEnv() + ": " + e.getMessage());
            }
        }
        String passphrase = env.apply(u.passphraseEnv());
        if (passphrase != null && !passphrase.isEmpty()) {
            return Optional.of(new Unlock.Passphrase(passphrase));
        }
        return Optional.empty();
    }

    private static String describe(UnlockConfig u, Unlock used) {
        return switch (used) {
            case Unlock.Passphrase p -> "the passphrase in " + u.passphraseEnv();
            case Unlock.RawKey k -> u.keyFile() != null ? "the key in " + u.keyFile() : "the key in " + u.keyEnv();
        };
    }

    private static String where(BlobStoreConfig s, Path defaultFolder) {
        return s.type().equals("s3") ? "s3://" + s.bucket() + "/" + s.prefix() : (s.path() != null ? s.path() : defaultFolder.toString());
    }

    static BlobStore blobStore(BlobStoreConfig s, Path defaultFolder, Function<String, String> env) throws IOException {
        if (s.type().equals("s3")) {
            String access = env.apply(s.accessKeyEnv());
            String secret = env.apply(s.secretKeyEnv());
            if (access == null || secret == null) {
                throw new ConfigException("vault.store: the S3 credentials are read from " + s.accessKeyEnv() + " and "
                        + s.secretKeyEnv() + "; set both");
            }
            return new S3BlobStore(s.endpoint() == null ? null : URI.create(s.endpoint()), s.region(), s.bucket(), s.prefix(),
                    access, secret);
        }
        return new LocalBlobStore(s.path() != null ? Path.of(s.path()) : defaultFolder);
    }
}
