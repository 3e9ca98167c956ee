package io.cervella.vault.config;

import io.cervella.core.config.BlobStoreConfig;
import io.cervella.core.config.UnlockConfig;

/**
 * The {@code vault:} section of the config (docs/configuration.md, Vault).
 *
 * @param enabled   default true; false leaves the vault's routes answering 503
 * @param store     where the blobs go: a local folder (default DATA/vault) or an S3-compatible bucket
 * @param unlock    how the server opens the vault's keys at start
 * @param retention how long old versions and tombstones are kept
 */
public record VaultConfig(Boolean enabled, BlobStoreConfig store, UnlockConfig unlock, RetentionConfig retention) {
    public VaultConfig {
        enabled = enabled == null || enabled;
        store = store == null ? BlobStoreConfig.defaults() : store;
        unlock = unlock == null ? UnlockConfig.defaults() : unlock;
        retention = retention == null ? RetentionConfig.defaults() : retention;
    }

    public static VaultConfig defaults() {
        return new VaultConfig(null, null, null, null);
    }
}
