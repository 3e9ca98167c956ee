package io.cervella.vault.chunk;

import io.cervella.core.chunk.ChunkSizes;
import io.cervella.core.chunk.ContentChunker;
import io.cervella.core.chunk.GearTable;

/**
 * How the vault cuts files (docs/formats/vault.md, Chunks): at least 16 KiB, 64 KiB on average, at most
 * 256 KiB (small, for notes: an edit in a long note re-sends a few KiB), with the gear table derived from
 * the vault's id key under the label "cervella-vault gear ".
 */
public final class VaultChunking {
    public static final ChunkSizes SIZES = new ChunkSizes(16 * 1024, 64 * 1024, 256 * 1024);
    public static final String GEAR_LABEL = "cervella-vault gear ";

    private VaultChunking() {}

    public static GearTable gearTable(byte[] idKey) {
        return GearTable.derive(idKey, GEAR_LABEL);
    }

    public static ContentChunker chunker(GearTable table) {
        return new ContentChunker(table, SIZES);
    }
}
