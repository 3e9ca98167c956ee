package io.cervella.ops.ui;

import java.time.Instant;

/** An alert as the dashboard lists it: one firing now, or a message sent. */
public record AlertRow(Instant at, String rule, String subject, String state, String severity, String summary) {}
