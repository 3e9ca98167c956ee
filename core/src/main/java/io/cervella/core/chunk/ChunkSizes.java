package io.cervella.core.chunk;

/**
 * The sizes a {@link ContentChunker} cuts to: no chunk under {@code min} (but a file's last), none over
 * {@code max}, and {@code average} (a power of two) the size they bunch around. Each format that
 * chunks names its own: the vault small ones for notes, the backups large ones for throughput.
 */
public record ChunkSizes(int min, int average, int max) {
    public ChunkSizes {
        if (Integer.bitCount(average) != 1 || min < 64 || min >= average || average >= max) {
            throw new IllegalArgumentException("chunk sizes need 64 <= min < average < max and average a power of two");
        }
    }

    /** log2 of the average size: how many hash bits a cut needs at the average. */
    int averageBits() {
        return Integer.numberOfTrailingZeros(average);
    }
}
