package io.cervella.core.config;

/** The configuration is wrong; the message names the key and the problem. Start-up stops. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** For compact constructors: {@code check(port > 0, "port", "must be positive")}. */
    public static void check(boolean ok, String key, String problem) {
        if (!ok) {
            throw new ConfigException(key + ": " + problem);
        }
    }
}
