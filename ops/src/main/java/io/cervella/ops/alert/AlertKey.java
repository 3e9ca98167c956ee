package io.cervella.ops.alert;

/** What identifies one alert: the primary key of ops_alert_state. */
public record AlertKey(String rule, String subject) {}
