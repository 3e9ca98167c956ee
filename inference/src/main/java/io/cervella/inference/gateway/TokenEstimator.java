package io.cervella.inference.gateway;

import tools.jackson.databind.JsonNode;

/**
 * Token counts for when a backend reports none. Without the backend's tokenizer the count is an
 * estimate (about four characters a token for English and Italian text, plus the chat template's
 * few tokens per message); the ledger marks such rows as estimated.
 */
final class TokenEstimator {
    private TokenEstimator() {}

    static long prompt(JsonNode request) {
        long chars = 0;
        long messages = 0;
        for (JsonNode m : request.path("messages")) {
            messages++;
            chars += textLength(m.path("content"));
        }
        return messages * 4 + (chars + 3) / 4;
    }

    static long text(String s) {
        return s == null ? 0 : (s.length() + 3) / 4;
    }

    private static long textLength(JsonNode content) {
        if (content.isString()) {
            return content.asString().length();
        }
        long n = 0;
        for (JsonNode part : content) {
            if (part.path("text").isString()) {
                n += part.path("text").asString().length();
            }
        }
        return n;
    }
}
