package io.cervella.core.keys;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates, lists, revokes and checks API keys. Checks hit an in-memory copy of the table, refreshed
 * by {@link #refresh()} (the server calls it every few seconds, so that a key revoked by another node
 * or by the CLI on the same data stops working soon) and on a miss (so that a new key works at once).
 */
public final class KeyService implements Authenticator {
    /** A key as created: the only moment the plaintext exists. */
    public record CreatedKey(ApiKeyRecord record, String plaintext) {}

    private final KeyRepository repository;
    private final Clock clock;
    private volatile Map<String, KeyRepository.StoredKey> byId = Map.of();

    public KeyService(KeyRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
        refresh();
    }

    public CreatedKey create(String name, Set<Scope> scopes, Integer rpm, Integer tpm, Double budgetUsd) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException("a key needs a name of 1 to 200 characters");
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one scope");
        }
        if ((rpm != null && rpm <= 0) || (tpm != null && tpm <= 0)) {
            throw new IllegalArgumentException("rpm and tpm must be positive");
        }
        if (budgetUsd != null && !(budgetUsd >= 0)) {
            throw new IllegalArgumentException("budget must be zero or more");
        }
        String plaintext = ApiKeys.generate();
        ApiKeyRecord record = new ApiKeyRecord(ApiKeys.idOf(plaintext), name.strip(), scopes, rpm, tpm, budgetUsd,
                Instant.ofEpochMilli(clock.millis()), null);
        repository.insert(record, ApiKeys.hashHex(plaintext));
        refresh();
        return new CreatedKey(record, plaintext);
    }

    /**
     * Makes sure a key given from outside (the admin key file) is stored; used when the data
     * directory keeps admin.key but the database is new (a PostgreSQL URL configured later).
     */
    public void ensure(String plaintext, String name, Set<Scope> scopes) {
        String id = ApiKeys.idOf(plaintext);
        if (id == null) {
            throw new IllegalArgumentException("not a Cervella key (expected ck_ and 55 URL-safe characters)");
        }
        if (repository.byId(id).isEmpty()) {
            repository.insert(new ApiKeyRecord(id, name, scopes, null, null, null,
                    Instant.ofEpochMilli(clock.millis()), null), ApiKeys.hashHex(plaintext));
            refresh();
        }
    }

    public List<ApiKeyRecord> list() {
        return repository.all().stream().map(KeyRepository.StoredKey::record).toList();
    }

    public int revoke(String idOrName) {
        int n = repository.revoke(idOrName, Instant.ofEpochMilli(clock.millis()));
        refresh();
        return n;
    }

    /** The key this bearer token names, if it is valid and not revoked. */
    @Override
    public Optional<ApiKeyRecord> authenticate(String presented) {
        String id = ApiKeys.idOf(presented);
        if (id == null) {
            return Optional.empty();
        }
        KeyRepository.StoredKey stored = byId.get(id);
        if (stored == null) {
            stored = repository.byId(id).orElse(null);
            if (stored == null) {
                return Optional.empty();
            }
            refresh();
        }
        if (!ApiKeys.matches(presented, stored.hashHex()) || stored.record().revoked()) {
            return Optional.empty();
        }
        return Optional.of(stored.record());
    }

    public Optional<ApiKeyRecord> byId(String id) {
        return Optional.ofNullable(byId.get(id)).map(KeyRepository.StoredKey::record);
    }

    public void refresh() {
        Map<String, KeyRepository.StoredKey> fresh = new ConcurrentHashMap<>();
        for (KeyRepository.StoredKey k : repository.all()) {
            fresh.put(k.record().id(), k);
        }
        byId = fresh;
    }
}
