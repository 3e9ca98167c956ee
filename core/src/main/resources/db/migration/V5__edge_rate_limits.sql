-- Metadata schema, version 5: the edge's rate-limit buckets (issue 7), shared by the nodes behind one
-- load balancer when they run on PostgreSQL. One row per client address or API key: Bucket4j's
-- serialized bucket state and when the row may be dropped (epoch milliseconds). A single node keeps its
-- buckets in memory and leaves this table empty.

CREATE TABLE edge_rate_buckets (
    id          VARCHAR(200) PRIMARY KEY,   -- "ip:" + address, or "key:" + the key's public id
    state       BYTEA,
    expires_at  BIGINT
);
