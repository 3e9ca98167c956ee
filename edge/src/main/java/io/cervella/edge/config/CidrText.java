package io.cervella.edge.config;

import io.cervella.core.config.ConfigException;
import io.cervella.edge.net.Cidr;
import java.util.List;

/** Config checks for address ranges: each entry must parse as a {@link Cidr}. */
final class CidrText {
    private CidrText() {}

    static void check(String key, String text) {
        try {
            Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }

    static List<String> checkAll(String key, List<String> texts) {
        if (texts == null) {
            return List.of();
        }
        for (int i = 0; i < texts.size(); i++) {
            check(key + "[" + i + "]", texts.get(i));
        }
        return List.copyOf(texts);
    }
}
