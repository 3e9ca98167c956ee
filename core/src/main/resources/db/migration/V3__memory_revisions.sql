-- Metadata schema, version 3: each collection counts the writes to its documents, so that every node
-- sharing the database can tell cheaply that its own index of the collection has fallen behind.

ALTER TABLE memory_collections ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;  -- +1 with every document write or delete
