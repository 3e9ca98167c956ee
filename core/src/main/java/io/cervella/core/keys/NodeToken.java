package io.cervella.core.keys;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;

/**
 * The single token a worker accepts: the core that started it (or the operator) holds it. Compared in
 * constant time; the worker keeps only its hash.
 */
public final class NodeToken implements Authenticator {
    private final byte[] hash;
    private final ApiKeyRecord identity = new ApiKeyRecord("node", "node", EnumSet.allOf(Scope.class), null, null, null,
            Instant.EPOCH, null);

    public NodeToken(String token) {
        if (token == null || token.length() < 32) {
            throw new IllegalArgumentException("a node token needs at least 32 characters");
        }
        this.hash = ApiKeys.hash(token);
    }

    public static String generate() {
        return "cn_" + ApiKeys.generate().substring(3);
    }

    @Override
    public Optional<ApiKeyRecord> authenticate(String presented) {
        if (presented == null) {
            return Optional.empty();
        }
        byte[] h = ApiKeys.hash(presented);
        return MessageDigest.isEqual(h, hash) ? Optional.of(identity) : Optional.empty();
    }

}
