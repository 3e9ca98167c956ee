package io.cervella.core.keys;

import java.util.Optional;

/** Who a bearer token belongs to: the API keys of a core node, or the node token of a worker. */
@FunctionalInterface
public interface Authenticator {
    Optional<ApiKeyRecord> authenticate(String presented);
}
