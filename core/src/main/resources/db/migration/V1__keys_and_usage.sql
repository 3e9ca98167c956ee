-- Metadata schema, version 1. Runs unchanged on SQLite and PostgreSQL (see MetadataStore).

CREATE TABLE api_keys (
    id          VARCHAR(32)  PRIMARY KEY,   -- the public part of the key (ck_ + id + secret)
    name        VARCHAR(200) NOT NULL,
    key_hash    VARCHAR(64)  NOT NULL,      -- hex SHA-256 of the whole key; the key itself is never stored
    scopes      VARCHAR(200) NOT NULL,      -- comma-separated, e.g. "chat,embeddings"
    rpm         INTEGER,                    -- requests per minute, NULL = unlimited
    tpm         INTEGER,                    -- tokens per minute, NULL = unlimited
    budget_usd  DOUBLE PRECISION,           -- total spend allowed, NULL = unlimited
    created_at  BIGINT       NOT NULL,      -- epoch milliseconds
    revoked_at  BIGINT                      -- epoch milliseconds, NULL while valid
);

CREATE TABLE usage_events (
    id                VARCHAR(40)  PRIMARY KEY,   -- time-ordered id made by the node that served it
    ts                BIGINT       NOT NULL,      -- epoch milliseconds at the end of the request
    key_id            VARCHAR(32)  NOT NULL,
    model             VARCHAR(200) NOT NULL,      -- the model name the client asked for
    backend           VARCHAR(200) NOT NULL,      -- the backend that served it ('' when none did)
    status            INTEGER      NOT NULL,      -- HTTP status returned to the client
    stream            INTEGER      NOT NULL,      -- 1 when streamed
    prompt_tokens     BIGINT       NOT NULL,
    completion_tokens BIGINT       NOT NULL,
    tokens_estimated  INTEGER      NOT NULL,      -- 1 when the backend gave no usage and we counted
    latency_ms        DOUBLE PRECISION NOT NULL,
    ttft_ms           DOUBLE PRECISION,           -- time to first token; NULL when no token came
    cost_usd          DOUBLE PRECISION NOT NULL   -- backend cost_per_hour_usd x its busy time shared by this request
);

CREATE INDEX usage_events_ts ON usage_events (ts);
CREATE INDEX usage_events_key_ts ON usage_events (key_id, ts);
