package io.cervella.ops.alert;

import java.util.Locale;

/** How urgent an alert is; written lower-case in the config, the messages and the log. */
public enum Severity {
    WARNING, CRITICAL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Severity of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
