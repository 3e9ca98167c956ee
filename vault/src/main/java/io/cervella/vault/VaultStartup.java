package io.cervella.vault;

import io.cervella.core.config.ConfigException;
import io.cervella.core.store.MetadataStore;
import io.cervella.core.blob.BlobStore;
import io.cervella.vault.config.VaultConfig;
import io.cervella.vault.index.VaultIndex;
import io.cervella.core.crypto.KeySlot;
import io.cervella.core.crypto.Unlock;
import io.cervella.vault.pack.ChunkStore;
import java.io.IOException;
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
    /** The passphrase's variable when vault.unlock names none. */
    String PASSPHRASE_ENV = "CERVELLA_VAULT_PASSPHRASE";

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
        Optional<Unlock> unlock = config.unlock().resolve("vault.unlock", PASSPHRASE_ENV, env);
        if (unlock.isEmpty()) {
            return new Locked("the vault is locked: start the server with " + config.unlock().passphraseEnvOr(PASSPHRASE_ENV)
                    + " set (or vault.unlock.key_file / key_env in the config)");
        }
        BlobStore store = config.store().open(defaultFolder, env, "vault.store");
        try {
            boolean created = store.get("config").isEmpty();
            VaultRepository repo;
            if (created) {
                repo = VaultRepository.create(store, unlock.get());
            } else {
                try {
                    repo = VaultRepository.open(store, unlock.get());
                } catch (KeySlot.WrongKeyException e) {
                    throw new ConfigException("vault: " + config.unlock().describe(unlock.get(), PASSPHRASE_ENV) + " opens none of the vault's"
                            + " key slots in " + config.store().describe(defaultFolder) + " (wrong passphrase or key); nothing was changed");
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
}
