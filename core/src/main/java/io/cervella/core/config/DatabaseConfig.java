package io.cervella.core.config;

/**
 * The metadata database. No url: SQLite at DATA/cervella.db. A {@code jdbc:postgresql:} url: that
 * server, shared by every node. The password comes from the environment variable named by
 * {@code password_env}, never from the file.
 */
public record DatabaseConfig(String url, String user, String passwordEnv) {
    public DatabaseConfig {
        ConfigException.check(url == null || url.startsWith("jdbc:postgresql:") || url.startsWith("jdbc:sqlite:"), "url",
                "must start with jdbc:postgresql: (or jdbc:sqlite:), was '" + url + "'");
    }

    public static DatabaseConfig defaults() {
        return new DatabaseConfig(null, null, null);
    }
}
