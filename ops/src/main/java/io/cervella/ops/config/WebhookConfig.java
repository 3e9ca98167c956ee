package io.cervella.ops.config;

import io.cervella.core.config.ConfigException;
import java.net.URI;
import java.util.Set;

/**
 * Where alerts go. {@code format}: {@code generic} (our JSON), {@code slack}, {@code discord} or
 * {@code telegram} (the Bot API's sendMessage URL, with {@code chat_id}). The URL may carry a token:
 * it is never logged or shown.
 */
public record WebhookConfig(String name, String url, String format, String chatId) {
    static final Set<String> FORMATS = Set.of("generic", "slack", "discord", "telegram");

    public WebhookConfig {
        format = format == null ? "generic" : format;
        ConfigException.check(name != null && !name.isBlank(), "ops.alerts.webhooks[].name", "is required");
        ConfigException.check(FORMATS.contains(format), "ops.alerts.webhooks[" + name + "].format",
                "must be one of generic, slack, discord, telegram; was '" + format + "'");
        ConfigException.check(url != null && (url.startsWith("https://") || url.startsWith("http://")),
                "ops.alerts.webhooks[" + name + "].url", "must be an http(s) URL");
        try {
            URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("ops.alerts.webhooks[" + name + "].url: not a URL (" + e.getMessage() + ")");
        }
        ConfigException.check(!format.equals("telegram") || chatId != null && !chatId.isBlank(),
                "ops.alerts.webhooks[" + name + "].chat_id", "is required by the telegram format");
    }
}
