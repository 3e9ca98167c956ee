package io.cervella.core.config;

import io.cervella.core.crypto.Unlock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where a secret that opens key slots is found ({@code vault.unlock}, {@code backup.unlock}), tried in
 * this order: {@code key_file} (32 random bytes in base64, e.g. from {@code openssl rand -base64 32}),
 * {@code key_env} (the same, in an environment variable), {@code passphrase_env} (a passphrase, run
 * through Argon2id; each layer names its default variable).
 */
public record UnlockConfig(String passphraseEnv, String keyFile, String keyEnv) {
    public static UnlockConfig defaults() {
        return new UnlockConfig(null, null, null);
    }

    /** The passphrase variable: the configured one, or the layer's default. */
    public String passphraseEnvOr(String defaultEnv) {
        return passphraseEnv != null ? passphraseEnv : defaultEnv;
    }

    /** The secret, if one is set; {@code section} names the config key in errors ("vault.unlock"). */
    public Optional<Unlock> resolve(String section, String defaultPassphraseEnv, Function<String, String> env) {
        if (keyFile != null) {
            Path file = Path.of(keyFile);
            try {
                return Optional.of(Unlock.RawKey.parse(Files.readString(file, StandardCharsets.US_ASCII).strip()));
            } catch (IOException e) {
                throw new ConfigException(section + ".key_file: cannot read " + file + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(section + ".key_file: " + file + ": " + e.getMessage());
            }
        }
        if (keyEnv != null && env.apply(keyEnv) != null) {
            try {
                return Optional.of(Unlock.RawKey.parse(env.apply(keyEnv).strip()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(section + ".key_env: " + keyEnv + ": " + e.getMessage());
            }
        }
        String passphrase = env.apply(passphraseEnvOr(defaultPassphraseEnv));
        if (passphrase != null && !passphrase.isEmpty()) {
            return Optional.of(new Unlock.Passphrase(passphrase));
        }
        return Optional.empty();
    }

    /** Which secret was used, for messages (never the secret). */
    public String describe(Unlock used, String defaultPassphraseEnv) {
        return switch (used) {
            case Unlock.Passphrase p -> "the passphrase in " + passphraseEnvOr(defaultPassphraseEnv);
            case Unlock.RawKey k -> keyFile != null ? "the key in " + keyFile : "the key in " + keyEnv;
        };
    }
}
