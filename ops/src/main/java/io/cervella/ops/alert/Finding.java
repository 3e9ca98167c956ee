package io.cervella.ops.alert;

/** What a rule's check found true about one subject; the rule adds its name and severity. */
public record Finding(String subject, String summary) {}
