package io.cervella.core.keys;

import java.time.Instant;
import java.util.Set;

/**
 * A stored API key without its secret. {@code id} is the public part of the key (shown in lists);
 * the limits are null when unset.
 */
public record ApiKeyRecord(String id, String name, Set<Scope> scopes, Integer rpm, Integer tpm,
                           Double budgetUsd, Instant createdAt, Instant revokedAt) {
    public ApiKeyRecord {
        scopes = Set.copyOf(scopes);
    }

    public boolean revoked() {
        return revokedAt != null;
    }

    public boolean allows(Scope scope) {
        return scopes.contains(Scope.ADMIN) || scopes.contains(scope);
    }
}
