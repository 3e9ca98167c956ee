package io.cervella.ops.ui;

import io.cervella.core.keys.ApiKeys;
import io.cervella.core.store.MetadataStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Dashboard sign-ins. The browser holds a random token in a cookie; the database holds only its
 * SHA-256 (table ops_sessions), so a copy of the database opens no session. Shared by every node.
 */
public final class DashboardSessions {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MetadataStore store;
    private final Clock clock;
    private final Duration lifetime;

    public DashboardSessions(MetadataStore store, Clock clock, Duration lifetime) {
        this.store = store;
        this.clock = clock;
        this.lifetime = lifetime;
    }

    public Duration lifetime() {
        return lifetime;
    }

    /** Opens a session for {@code keyId}; returns the token for the cookie. Expired sessions go at the same time. */
    public String open(String keyId) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        long now = clock.millis();
        store.jdbi().useHandle(h -> {
            h.createUpdate("DELETE FROM ops_sessions WHERE expires_at < :now").bind("now", now).execute();
            h.createUpdate("INSERT INTO ops_sessions (token_hash, key_id, created_at, expires_at) VALUES (:t, :k, :c, :e)")
                    .bind("t", hash(token)).bind("k", keyId).bind("c", now).bind("e", now + lifetime.toMillis()).execute();
        });
        return token;
    }

    /** The key id of a live session, or empty (unknown, expired or closed). */
    public Optional<String> keyOf(String token) {
        if (token == null || token.isEmpty() || token.length() > 100) {
            return Optional.empty();
        }
        long now = clock.millis();
        return store.jdbi().withHandle(h -> h.createQuery(
                        "SELECT key_id FROM ops_sessions WHERE token_hash = :t AND expires_at >= :now")
                .bind("t", hash(token)).bind("now", now).mapTo(String.class).findOne());
    }

    public void close(String token) {
        if (token != null) {
            store.jdbi().useHandle(h -> h.createUpdate("DELETE FROM ops_sessions WHERE token_hash = :t")
                    .bind("t", hash(token)).execute());
        }
    }

    /** As API keys are stored: hex SHA-256 (the token is ASCII, base64url). */
    static String hash(String token) {
        return ApiKeys.hashHex(token);
    }
}
