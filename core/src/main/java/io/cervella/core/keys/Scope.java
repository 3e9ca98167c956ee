package io.cervella.core.keys;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** What a key may do. {@code admin} may do everything. */
public enum Scope {
    CHAT, EMBEDDINGS, MEMORY, VAULT, METRICS, APPS, ADMIN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Scope parse(String text) {
        for (Scope s : values()) {
            if (s.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scope '" + text.trim() + "' (known: "
                + Arrays.stream(values()).map(Scope::label).collect(Collectors.joining(", ")) + ")");
    }

    /** Parses "chat,embeddings"; empty entries are ignored, an unknown one is an error. */
    public static Set<Scope> parseList(String text) {
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                scopes.add(parse(part));
            }
        }
        return scopes;
    }

    public static String format(Set<Scope> scopes) {
        return scopes.stream().sorted().map(Scope::label).collect(Collectors.joining(","));
    }
}
