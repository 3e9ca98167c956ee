package io.cervella.inference.engine.gguf;

/**
 * Tensor element types by their ggml number (docs/formats/gguf.md). Those we can compute with have a
 * block size; the others are known only by name, so that an error can say what the file holds.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3),
    Q5_0(6),
    Q5_1(7),
    Q8_0(8, 32, 34),
    Q8_1(9),
    Q2_K(10),
    Q3_K(11),
    Q4_K(12, 256, 144),
    Q5_K(13),
    Q6_K(14, 256, 210),
    Q8_K(15),
    IQ2_XXS(16),
    IQ2_XS(17),
    IQ3_XXS(18),
    IQ1_S(19),
    IQ4_NL(20),
    IQ3_S(21),
    IQ2_S(22),
    IQ4_XS(23),
    I8(24),
    I16(25),
    I32(26),
    I64(27),
    F64(28),
    IQ1_M(29),
    BF16(30, 1, 2),
    TQ1_0(34),
    TQ2_0(35),
    MXFP4(39);

    public final int id;
    /** Elements per block; 0 when unsupported. */
    public final int blockSize;
    /** Bytes per block; 0 when unsupported. */
    public final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    GgmlType(int id) {
        this(id, 0, 0);
    }

    public boolean supported() {
        return blockSize > 0;
    }

    /** The type with this number, or null when ggml has none by that number (as far as we know). */
    public static GgmlType byId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }

    /** Bytes taken by {@code elements} values; {@code elements} must be a multiple of the block size. */
    public long bytesFor(long elements) {
        if (!supported()) {
            throw new IllegalStateException(name() + " is not supported");
        }
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(elements + " elements is not a whole number of " + name() + " blocks of "
                    + blockSize);
        }
        return elements / blockSize * blockBytes;
    }
}
