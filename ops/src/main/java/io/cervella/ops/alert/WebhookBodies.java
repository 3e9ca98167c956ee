package io.cervella.ops.alert;

import io.cervella.core.http.Json;
import io.cervella.ops.config.WebhookConfig;
import tools.jackson.databind.node.ObjectNode;

/** The JSON body a webhook of each format expects for a message. */
final class WebhookBodies {
    /** Discord refuses a message whose content is longer. */
    static final int DISCORD_MAX_CHARS = 2000;
    /** Telegram's sendMessage limit for text. */
    static final int TELEGRAM_MAX_CHARS = 4096;

    private WebhookBodies() {}

    static String body(WebhookConfig webhook, AlertMessage m) {
        ObjectNode o = Json.object();
        switch (webhook.format()) {
            case "generic" -> {
                o.put("status", m.status().label());
                o.put("rule", m.rule());
                o.put("subject", m.subject());
                o.put("severity", m.severity().label());
                o.put("summary", m.summary());
                o.put("started_at", m.startedAt().toString());
                if (m.resolvedAt() != null) {
                    o.put("resolved_at", m.resolvedAt().toString());
                }
                o.put("node", m.node());
            }
            case "slack" -> o.put("text", m.text());
            case "discord" -> o.put("content", Text.clip(m.text(), DISCORD_MAX_CHARS));
            case "telegram" -> {
                o.put("chat_id", webhook.chatId());
                o.put("text", Text.clip(m.text(), TELEGRAM_MAX_CHARS));
            }
            default -> throw new IllegalArgumentException("unknown webhook format " + webhook.format());
        }
        return Json.MAPPER.writeValueAsString(o);
    }
}
