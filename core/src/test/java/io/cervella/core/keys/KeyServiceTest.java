package io.cervella.core.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.core.store.MetadataStore;
import io.cervella.core.testkit.StoreKind;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeyServiceTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void createdKeysAuthenticateAndAreStoredOnlyAsHashes(StoreKind kind) {
        try (MetadataStore store = kind.open(dir)) {
            KeyService keys = new KeyService(new KeyRepository(store), Clock.systemUTC());
            KeyService.CreatedKey created = keys.create("agent-1", EnumSet.of(Scope.CHAT, Scope.EMBEDDINGS), 60, 1000, 5.0);

            assertThat(created.plaintext()).startsWith("ck_").matches("ck_[A-Za-z0-9_-]{55}");
            assertThat(keys.authenticate(created.plaintext())).contains(created.record());
            ApiKeyRecord r = keys.authenticate(created.plaintext()).orElseThrow();
            assertThat(r.scopes()).containsExactlyInAnyOrder(Scope.CHAT, Scope.EMBEDDINGS);
            assertThat(r.rpm()).isEqualTo(60);
            assertThat(r.tpm()).isEqualTo(1000);
            assertThat(r.budgetUsd()).isEqualTo(5.0);

            String stored = store.jdbi().withHandle(h -> h.createQuery("SELECT key_hash FROM api_keys WHERE id = :id")
                    .bind("id", r.id()).mapTo(String.class).one());
            assertThat(stored).isEqualTo(ApiKeys.hashHex(created.plaintext())).doesNotContain(created.plaintext().substring(15));
            long plaintextAnywhere = store.jdbi().withHandle(h -> h.createQuery(
                    "SELECT COUNT(*) FROM api_keys WHERE key_hash = :k OR name = :k OR id = :k OR scopes = :k")
                    .bind("k", created.plaintext()).mapTo(Long.class).one());
            assertThat(plaintextAnywhere).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void wrongRevokedAndMalformedKeysAreRefused(StoreKind kind) {
        try (MetadataStore store = kind.open(dir)) {
            KeyService keys = new KeyService(new KeyRepository(store), Clock.systemUTC());
            String key = keys.create("k", Set.of(Scope.CHAT), null, null, null).plaintext();
            String sameIdOtherSecret = key.substring(0, 15) + (key.charAt(15) == 'A' ? 'B' : 'A') + key.substring(16);

            assertThat(keys.authenticate(sameIdOtherSecret)).isEmpty();
            assertThat(keys.authenticate("ck_short")).isEmpty();
            assertThat(keys.authenticate(key + "x")).isEmpty();
            assertThat(keys.authenticate(key.replace('_', '/'))).isEmpty();

            assertThat(keys.revoke("k")).isEqualTo(1);
            assertThat(keys.authenticate(key)).isEmpty();
            assertThat(keys.list()).singleElement().satisfies(r -> assertThat(r.revoked()).isTrue());
            assertThat(keys.revoke("k")).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aKeyCreatedByAnotherProcessWorksAtOnce(StoreKind kind) {
        try (MetadataStore store = kind.open(dir)) {
            KeyService server = new KeyService(new KeyRepository(store), Clock.systemUTC());
            KeyService cli = new KeyService(new KeyRepository(store), Clock.systemUTC());
            String key = cli.create("from-cli", Set.of(Scope.ADMIN), null, null, null).plaintext();
            assertThat(server.authenticate(key)).isPresent();
            assertThat(server.authenticate(key).orElseThrow().allows(Scope.VAULT)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void invalidKeySettingsAreRejected(StoreKind kind) {
        try (MetadataStore store = kind.open(dir)) {
            KeyService keys = new KeyService(new KeyRepository(store), Clock.systemUTC());
            assertThatThrownBy(() -> keys.create("", Set.of(Scope.CHAT), null, null, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
            assertThatThrownBy(() -> keys.create("x", Set.of(), null, null, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scope");
            assertThatThrownBy(() -> keys.create("x", Set.of(Scope.CHAT), -1, null, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rpm");
            assertThatThrownBy(() -> Scope.parseList("chat,root"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown scope 'root'");
            assertThat(keys.list()).isEmpty();
        }
    }
}
