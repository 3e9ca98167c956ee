package io.cervella.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cervella.core.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookConfigTest {
    @Test
    void theUrlComesFromTheFileOrFromAnEnvironmentVariableNeverBoth() {
        WebhookConfig inFile = new WebhookConfig("a", "https://hooks.example/x", null, "slack", null);
        assertSame(inFile, inFile.resolve(Map.<String, String>of()::get));
        WebhookConfig fromEnv = new WebhookConfig("b", null, "HOOK", "discord", null);
        assertEquals("https://discord.example/api/webhooks/1/tok", fromEnv.resolve(Map.of("HOOK", " https://discord.example/api/webhooks/1/tok\n")::get).url());

        assertThrows(ConfigException.class, () -> new WebhookConfig("c", "https://x", "HOOK", null, null));
        assertThrows(ConfigException.class, () -> new WebhookConfig("d", null, null, null, null));
        ConfigException unset = assertThrows(ConfigException.class, () -> fromEnv.resolve(Map.<String, String>of()::get));
        assertTrue(unset.getMessage().contains("HOOK is not set"), unset.getMessage());
        ConfigException bad = assertThrows(ConfigException.class,
                () -> fromEnv.resolve(Map.of("HOOK", "ftp://secret-token@host")::get));
        assertFalse(bad.getMessage().contains("secret-token"), "the URL (and its token) stays out of the message");
        assertThrows(ConfigException.class, () -> new WebhookConfig("t", "https://api.telegram.org/botX/sendMessage", null, "telegram", null));
    }

    @Test
    void opsConfigResolvesEveryWebhook() {
        OpsConfig ops = new OpsConfig(null, null, null, new AlertsConfig(null, null, java.util.List.of(
                new WebhookConfig("a", null, "A_URL", null, null), new WebhookConfig("b", "http://b.example/h", null, null, null)), null), null);
        OpsConfig resolved = ops.withSecrets(Map.of("A_URL", "https://a.example/h")::get);
        assertEquals("https://a.example/h", resolved.alerts().webhooks().get(0).url());
        assertEquals("http://b.example/h", resolved.alerts().webhooks().get(1).url());
    }
}
