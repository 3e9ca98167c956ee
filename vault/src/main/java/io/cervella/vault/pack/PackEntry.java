package io.cervella.vault.pack;

/** Where a chunk lies in its pack: offset and length of its ciphertext, and its plaintext's length. */
public record PackEntry(byte[] chunkId, int offset, int ciphertextLength, int plaintextLength) {
    public PackEntry {
        if (chunkId.length != 32) {
            throw new IllegalArgumentException("a chunk id has 32 bytes");
        }
        chunkId = chunkId.clone();
    }

    @Override
    public byte[] chunkId() {
        return chunkId.clone();
    }
}
