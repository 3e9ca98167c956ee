package io.cervella.vault.config;

/**
 * {@code vault.unlock}: where the server finds the secret that opens the vault's keys, tried in this
 * order: {@code key_file} (32 random bytes in base64, e.g. from {@code openssl rand -base64 32}),
 * {@code key_env} (the same, in an environment variable), {@code passphrase_env} (a passphrase, run
 * through Argon2id; default variable CERVELLA_VAULT_PASSPHRASE). The first start with a secret creates
 * the vault with it.
 */
public record UnlockConfig(String passphraseEnv, String keyFile, String keyEnv) {
    public static final String DEFAULT_PASSPHRASE_ENV = "CERVELLA_VAULT_PASSPHRASE";

    public UnlockConfig {
        passphraseEnv = passphraseEnv == null ? DEFAULT_PASSPHRASE_ENV : passphraseEnv;
    }

    public static UnlockConfig defaults() {
        return new UnlockConfig(null, null, null);
    }
}
