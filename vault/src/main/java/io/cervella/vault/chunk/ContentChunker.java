package io.cervella.vault.chunk;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * FastCDC content-defined chunking with a keyed gear table (docs/formats/vault.md, Chunks). A cut
 * depends only on the bytes just before it, so an insertion moves the boundaries near it and no
 * others: an edited note shares all but a chunk or two with its previous version.
 */
public final class ContentChunker {
    public static final int MIN_SIZE = 16 * 1024;
    public static final int AVERAGE_SIZE = 64 * 1024;
    public static final int MAX_SIZE = 256 * 1024;
    /** Before the average size a cut is harder (18 bits must be 0), after it easier (14): sizes bunch near the average. */
    static final long MASK_BEFORE_AVERAGE = -1L << (64 - 18);
    static final long MASK_AFTER_AVERAGE = -1L << (64 - 14);

    private final long[] gear = new long[GearTable.SIZE];

    public ContentChunker(GearTable table) {
        for (int i = 0; i < GearTable.SIZE; i++) {
            gear[i] = table.get(i);
        }
    }

    /**
     * The length of the chunk that starts at {@code from} among the {@code length} bytes that follow
     * (the rest of the file, or at least {@link #MAX_SIZE} of it). The hash starts from zero at the
     * chunk's {@link #MIN_SIZE} point; the bytes before it are skipped.
     */
    public int cut(byte[] data, int from, int length) {
        if (length <= MIN_SIZE) {
            return length;
        }
        int end = Math.min(length, MAX_SIZE);
        int average = Math.min(end, AVERAGE_SIZE);
        long h = 0;
        int i = MIN_SIZE;
        for (; i < average; i++) {
            h = (h << 1) + gear[data[from + i] & 0xff];
            if ((h & MASK_BEFORE_AVERAGE) == 0) {
                return i + 1;
            }
        }
        for (; i < end; i++) {
            h = (h << 1) + gear[data[from + i] & 0xff];
            if ((h & MASK_AFTER_AVERAGE) == 0) {
                return i + 1;
            }
        }
        return end;
    }

    /** The chunks of a stream, one at a time, reading ahead at most a few of the largest chunks. */
    public Reader reader(InputStream in) {
        return new Reader(in);
    }

    public final class Reader {
        private final InputStream in;
        /** Read ahead; the next chunk starts at {@code start}. Compacted only when the tail runs short. */
        private final byte[] buffer = new byte[4 * MAX_SIZE];
        private int start;
        private int filled;
        private boolean eof;

        private Reader(InputStream in) {
            this.in = in;
        }

        /** The next chunk, or null at the end of the stream (an empty stream has no chunk). */
        public byte[] next() throws IOException {
            if (!eof && filled - start < MAX_SIZE) {
                System.arraycopy(buffer, start, buffer, 0, filled - start);
                filled -= start;
                start = 0;
                while (!eof && filled < buffer.length) {
                    int n = in.read(buffer, filled, buffer.length - filled);
                    if (n < 0) {
                        eof = true;
                    } else {
                        filled += n;
                    }
                }
            }
            if (filled == start) {
                return null;
            }
            int length = cut(buffer, start, filled - start);
            byte[] chunk = Arrays.copyOfRange(buffer, start, start + length);
            start += length;
            return chunk;
        }
    }
}
