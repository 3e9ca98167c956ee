package io.cervella.vault.config;

import io.cervella.core.config.ConfigException;

/**
 * {@code vault.retention}: a version that is no longer current (an old content, or a tombstone) is kept
 * at least {@code days} days after it was replaced, and the last {@code versions} versions of each path
 * are kept whatever their age. {@code cervella vault prune} drops the rest.
 */
public record RetentionConfig(Integer days, Integer versions) {
    public RetentionConfig {
        days = days == null ? 90 : days;
        versions = versions == null ? 10 : versions;
        ConfigException.check(days >= 0, "days", "must not be negative");
        ConfigException.check(versions >= 1, "versions", "must be at least 1 (the current version is always kept)");
    }

    public io.cervella.vault.retention.RetentionPolicy policy() {
        return new io.cervella.vault.retention.RetentionPolicy(java.time.Duration.ofDays(days), versions);
    }

    public static RetentionConfig defaults() {
        return new RetentionConfig(null, null);
    }
}
