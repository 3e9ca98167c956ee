package io.cervella.ops.alert;

import java.util.List;

/** backup_failed: a backup target's last run failed (no good one since); the next good run resolves it. */
public record BackupFailed() implements RuleCheck {
    @Override
    public List<Finding> check(RuleInputs in) {
        return in.facts().backups().stream()
                .filter(b -> b.lastFailure() != null && (b.lastSuccess() == null || b.lastFailure().isAfter(b.lastSuccess())))
                .map(b -> new Finding(b.target(), "backup to " + b.target() + " failed at " + b.lastFailure()
                        + (b.lastError() == null || b.lastError().isBlank() ? "" : ": " + Text.clip(b.lastError(), 300))))
                .toList();
    }
}
