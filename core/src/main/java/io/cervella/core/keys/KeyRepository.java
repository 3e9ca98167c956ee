package io.cervella.core.keys;

import io.cervella.core.store.MetadataStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The api_keys table. */
public final class KeyRepository {
    /** A stored key with the hash, for authentication only. */
    public record StoredKey(ApiKeyRecord record, String hashHex) {}

    private static final String COLUMNS = "id, name, key_hash, scopes, rpm, tpm, budget_usd, created_at, revoked_at";
    private final MetadataStore store;

    public KeyRepository(MetadataStore store) {
        this.store = store;
    }

    public void insert(ApiKeyRecord key, String hashHex) {
        store.jdbi().useHandle(h -> h.createUpdate("INSERT INTO api_keys (" + COLUMNS + ") VALUES "
                        + "(:id, :name, :hash, :scopes, :rpm, :tpm, :budget, :created, NULL)")
                .bind("id", key.id())
                .bind("name", key.name())
                .bind("hash", hashHex)
                .bind("scopes", Scope.format(key.scopes()))
                .bind("rpm", key.rpm())
                .bind("tpm", key.tpm())
                .bind("budget", key.budgetUsd())
                .bind("created", key.createdAt().toEpochMilli())
                .execute());
    }

    public List<StoredKey> all() {
        return store.jdbi().withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at, id")
                .map((rs, ctx) -> read(rs))
                .list());
    }

    public Optional<StoredKey> byId(String id) {
        return store.jdbi().withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_keys WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> read(rs))
                .findOne());
    }

    /** Revokes the key with this id, or every unrevoked key with this name; returns how many. */
    public int revoke(String idOrName, Instant at) {
        return store.jdbi().withHandle(h -> h.createUpdate(
                        "UPDATE api_keys SET revoked_at = :at WHERE revoked_at IS NULL AND (id = :v OR name = :v)")
                .bind("at", at.toEpochMilli())
                .bind("v", idOrName)
                .execute());
    }

    private static StoredKey read(ResultSet rs) throws SQLException {
        long revoked = rs.getLong("revoked_at");
        Instant revokedAt = rs.wasNull() ? null : Instant.ofEpochMilli(revoked);
        ApiKeyRecord record = new ApiKeyRecord(
                rs.getString("id"),
                rs.getString("name"),
                Scope.parseList(rs.getString("scopes")),
                nullableInt(rs, "rpm"),
                nullableInt(rs, "tpm"),
                nullableDouble(rs, "budget_usd"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                revokedAt);
        return new StoredKey(record, rs.getString("key_hash"));
    }

    private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static Double nullableDouble(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }
}
