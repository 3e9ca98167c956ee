-- Metadata schema, version 6: ops (issue 8) — the audit log, uptime probe results, alerts sent and
-- their state, dashboard sessions. Runs unchanged on SQLite and PostgreSQL (see MetadataStore).

-- Admin actions, append-only: no API updates or deletes a row. Each row's hash covers the previous
-- row's hash and its own fields (docs/formats/data-directory.md, "The audit log"), so an edit made
-- behind the API's back shows up as a broken chain.
CREATE TABLE ops_audit (
    seq        BIGINT       PRIMARY KEY,    -- 1, 2, 3... without gaps
    ts         BIGINT       NOT NULL,       -- epoch milliseconds
    actor      VARCHAR(200) NOT NULL,       -- the API key id, or 'local' (a command on the data directory), or 'signal'
    action     VARCHAR(64)  NOT NULL,       -- e.g. key.create, key.revoke, config.reload, vault.restore, backup.restore
    target     VARCHAR(400) NOT NULL,       -- what it acted on ('' when nothing in particular)
    detail     TEXT         NOT NULL,       -- a JSON object, never a secret
    prev_hash  VARCHAR(64)  NOT NULL,       -- the previous row's hash; 64 zeros for the first
    hash       VARCHAR(64)  NOT NULL        -- hex SHA-256 of prev_hash and this row's fields
);

-- One row per probe run.
CREATE TABLE ops_probe_results (
    probe       VARCHAR(200) NOT NULL,      -- the probe's name (hosted apps: 'app:NAME')
    node        VARCHAR(100) NOT NULL,      -- the node that ran it
    ts          BIGINT       NOT NULL,      -- epoch milliseconds at the start of the run
    up          INTEGER      NOT NULL,      -- 1 when the answer was as expected
    status      INTEGER,                    -- HTTP status; NULL when none came
    latency_ms  DOUBLE PRECISION,
    error       VARCHAR(400),               -- why it was down, NULL when up
    PRIMARY KEY (probe, node, ts)
);
CREATE INDEX ops_probe_results_ts ON ops_probe_results (ts);

-- What each alert rule found, per subject: the state it was last announced in. Shared by every node,
-- so an alert is sent once, and not again after a restart.
CREATE TABLE ops_alert_state (
    rule        VARCHAR(100) NOT NULL,
    subject     VARCHAR(400) NOT NULL,      -- e.g. a backend's name, a backup target, a host name
    state       VARCHAR(16)  NOT NULL,      -- firing | resolved
    since       BIGINT       NOT NULL,      -- epoch milliseconds the state began
    last_sent   BIGINT       NOT NULL,      -- epoch milliseconds of the last message about it
    summary     TEXT         NOT NULL,
    PRIMARY KEY (rule, subject)
);

-- Every message sent (or tried) to a webhook.
CREATE TABLE ops_alert_log (
    id          VARCHAR(40)  PRIMARY KEY,   -- time-ordered
    ts          BIGINT       NOT NULL,
    rule        VARCHAR(100) NOT NULL,
    subject     VARCHAR(400) NOT NULL,
    state       VARCHAR(16)  NOT NULL,      -- firing | resolved
    severity    VARCHAR(16)  NOT NULL,      -- warning | critical
    summary     TEXT         NOT NULL,
    webhook     VARCHAR(200) NOT NULL,      -- the webhook's name from the config
    delivered   INTEGER      NOT NULL,      -- 1 when the receiver answered 2xx
    response    VARCHAR(400)                -- its status, or the error
);
CREATE INDEX ops_alert_log_ts ON ops_alert_log (ts);

-- Dashboard sign-ins: the cookie holds a random token; only its hash is stored.
CREATE TABLE ops_sessions (
    token_hash  VARCHAR(64)  PRIMARY KEY,   -- hex SHA-256 of the cookie's token
    key_id      VARCHAR(32)  NOT NULL,      -- the API key that signed in
    created_at  BIGINT       NOT NULL,
    expires_at  BIGINT       NOT NULL
);
