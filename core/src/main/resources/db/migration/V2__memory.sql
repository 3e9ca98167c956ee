-- Metadata schema, version 2: the memory layer's collections and documents (issue 4). The documents are
-- the truth; each node's Lucene index is derived from them and can be rebuilt (cervella memory reindex).

CREATE TABLE memory_collections (
    name        VARCHAR(64)  PRIMARY KEY,   -- [a-z0-9][a-z0-9_-]*
    model       VARCHAR(200) NOT NULL,      -- the embedding model every vector of the collection comes from
    dimension   INTEGER      NOT NULL,      -- that model's vector length
    created_at  BIGINT       NOT NULL       -- epoch milliseconds
);

CREATE TABLE memory_documents (
    collection   VARCHAR(64)  NOT NULL REFERENCES memory_collections (name),
    id           VARCHAR(512) NOT NULL,     -- chosen by the client (a file path, a note id)
    content      TEXT         NOT NULL,     -- Markdown or plain text, as given
    metadata     TEXT         NOT NULL,     -- a JSON object of texts and numbers
    content_hash VARCHAR(64)  NOT NULL,     -- hex SHA-256 of content and metadata: unchanged documents are not re-embedded
    updated_at   BIGINT       NOT NULL,     -- epoch milliseconds
    PRIMARY KEY (collection, id)
);
