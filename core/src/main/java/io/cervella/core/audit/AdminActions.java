package io.cervella.core.audit;

import java.util.Map;

/**
 * Where a layer reports an admin action (a key created or revoked, a config reload, a restore) for
 * the audit log. Implemented by ops; layers get it from the app. {@code detail} refers to keys by id
 * and never holds a secret.
 */
@FunctionalInterface
public interface AdminActions {
    void record(String actor, String action, String target, Map<String, ?> detail);

    /** Records nothing: for tools and tests that run without the audit log. */
    AdminActions NONE = (actor, action, target, detail) -> { };
}
