package io.cervella.ops.audit;

import java.time.Instant;
import tools.jackson.databind.node.ObjectNode;

/**
 * One row of the audit log. {@code detail} is the JSON object the caller gave (never a secret);
 * {@code prevHash} and {@code hash} chain the row to the one before it.
 */
public record AuditEntry(long seq, Instant ts, String actor, String action, String target, ObjectNode detail,
                         String prevHash, String hash) {}
