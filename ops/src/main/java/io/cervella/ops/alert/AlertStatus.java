package io.cervella.ops.alert;

import java.util.Locale;

/** The two states an alert is announced in (ops_alert_state.state, ops_alert_log.state). */
public enum AlertStatus {
    FIRING, RESOLVED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AlertStatus of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
