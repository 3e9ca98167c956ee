package io.cervella.ops.config;

import io.cervella.core.config.ConfigException;
import java.net.URI;
import java.util.Set;
import java.util.function.Function;

/**
 * Where alerts go. {@code format}: {@code generic} (our JSON), {@code slack}, {@code discord} or
 * {@code telegram} (the Bot API's sendMessage URL, with {@code chat_id}). The URL usually carries a
 * token, so it may come from an environment variable instead ({@code url_env}), as the other secrets
 * of the config do; either way it is never logged or shown.
 */
public record WebhookConfig(String name, String url, String urlEnv, String format, String chatId) {
    static final Set<String> FORMATS = Set.of("generic", "slack", "discord", "telegram");

    public WebhookConfig {
        format = format == null ? "generic" : format;
        ConfigException.check(name != null && !name.isBlank(), "ops.alerts.webhooks[].name", "is required");
        ConfigException.check(FORMATS.contains(format), "ops.alerts.webhooks[" + name + "].format",
                "must be one of generic, slack, discord, telegram; was '" + format + "'");
        ConfigException.check(url == null ^ urlEnv == null, "ops.alerts.webhooks[" + name + "]",
                "give either url or url_env (the name of an environment variable that holds it)");
        if (url != null) {
            checkUrl(name, url, "url");
        }
        ConfigException.check(!format.equals("telegram") || chatId != null && !chatId.isBlank(),
                "ops.alerts.webhooks[" + name + "].chat_id", "is required by the telegram format");
    }

    /** With the URL read from {@code url_env} when it is given there. */
    public WebhookConfig resolve(Function<String, String> env) {
        if (url != null) {
            return this;
        }
        String value = env.apply(urlEnv);
        ConfigException.check(value != null && !value.isBlank(), "ops.alerts.webhooks[" + name + "].url_env",
                "the environment variable " + urlEnv + " is not set");
        checkUrl(name, value.strip(), "url_env (" + urlEnv + ")");
        return new WebhookConfig(name, value.strip(), null, format, chatId);
    }

    private static void checkUrl(String name, String url, String key) {
        ConfigException.check(url.startsWith("https://") || url.startsWith("http://"),
                "ops.alerts.webhooks[" + name + "]." + key, "must be an http(s) URL");
        try {
            URI.create(url);
        } catch (IllegalArgumentException e) {
            // the URL's text stays out of the message: it may hold the token
            throw new ConfigException("ops.alerts.webhooks[" + name + "]." + key + ": not a valid URL");
        }
    }
}
