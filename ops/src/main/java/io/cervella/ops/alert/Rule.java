package io.cervella.ops.alert;

import java.time.Duration;

/**
 * A built-in rule as the config leaves it: on or off, its severity, how long its condition must hold
 * before it fires ({@code holdFor}), and its check (which carries the threshold).
 */
public record Rule(String name, boolean enabled, Severity severity, Duration holdFor, RuleCheck check) {}
