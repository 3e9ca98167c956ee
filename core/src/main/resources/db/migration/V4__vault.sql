-- Metadata schema, version 4: the vault's index (issue 5, docs/formats/vault.md "The database index").
-- Derived from the vault's blob store and rebuilt from it. No file name or size is stored in the
-- clear: versions are keyed by keyed hashes and their contents are encrypted by the vault's keys.

CREATE TABLE vault_heads (
    vault_id  VARCHAR(32) PRIMARY KEY,      -- the vault's id (its config)
    seq       BIGINT      NOT NULL          -- the last committed commit number; 0 before the first
);

CREATE TABLE vault_commits (
    vault_id      VARCHAR(32) NOT NULL,
    seq           BIGINT      NOT NULL,     -- 1, 2, 3... without gaps
    device        VARCHAR(64) NOT NULL,     -- the API key id that pushed it
    committed_at  BIGINT      NOT NULL,     -- epoch milliseconds
    PRIMARY KEY (vault_id, seq)
);

CREATE TABLE vault_versions (
    vault_id  VARCHAR(32) NOT NULL,
    path_id   VARCHAR(64) NOT NULL,         -- hex HMAC-SHA256(id key, "path " + the path's collision key)
    seq       BIGINT      NOT NULL,         -- the commit that made this version
    sealed    TEXT        NOT NULL,         -- base64 of the version (path, vector, size...) encrypted by the vault
    PRIMARY KEY (vault_id, path_id, seq)
);

CREATE INDEX vault_versions_by_seq ON vault_versions (vault_id, seq);
