package io.cervella.core.chunk;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * FastCDC content-defined chunking with a keyed gear table (docs/formats/vault.md, Chunks, for the
 * rule; each format names its sizes). A cut depends only on the bytes just before it, so an insertion
 * moves the boundaries near it and no others: an edited file shares all but a chunk or two with its
 * previous version.
 */
public final class ContentChunker {
    private final int minSize;
    private final int averageSize;
    private final int maxSize;
    /** Before the average size a cut is harder (2 bits more than the average's), after it easier (2 fewer): sizes bunch near the average. */
    private final long maskBeforeAverage;
    private final long maskAfterAverage;
    private final long[] gear = new long[GearTable.SIZE];

    public ContentChunker(GearTable table, ChunkSizes sizes) {
        for (int i = 0; i < GearTable.SIZE; i++) {
            gear[i] = table.get(i);
        }
        this.minSize = sizes.min();
        this.averageSize = sizes.average();
        this.maxSize = sizes.max();
        this.maskBeforeAverage = -1L << (64 - (sizes.averageBits() + 2));
        this.maskAfterAverage = -1L << (64 - (sizes.averageBits() - 2));
    }

    /**
     * The length of the chunk that starts at {@code from} among the {@code length} bytes that follow
     * (the rest of the file, or at least the largest chunk's worth of it). The hash starts from zero
     * at the chunk's smallest size; the bytes before it are skipped.
     */
    public int cut(byte[] data, int from, int length) {
        if (length <= minSize) {
            return length;
        }
        int end = Math.min(length, maxSize);
        int average = Math.min(end, averageSize);
        long h = 0;
        int i = minSize;
        for (; i < average; i++) {
            h = (h << 1) + gear[data[from + i] & 0xff];
            if ((h & maskBeforeAverage) == 0) {
                return i + 1;
            }
        }
        for (; i < end; i++) {
            h = (h << 1) + gear[data[from + i] & 0xff];
            if ((h & maskAfterAverage) == 0) {
                return i + 1;
            }
        }
        return end;
    }

    /** The chunks of a stream, one at a time, reading ahead at most a few of the largest chunks. */
    public Reader reader(InputStream in) {
        return new Reader(in, 4 * maxSize);
    }

    /**
     * The same, for a stream of about {@code expectedSize} bytes: a small file gets a buffer of its
     * size (a sync reads thousands of notes, a backup thousands of files; a buffer of the largest
     * chunk each, 256 KiB or 8 MiB, was most of what they allocated). A stream longer than expected
     * grows the buffer to the full read-ahead, and is cut exactly as without the hint.
     */
    public Reader reader(InputStream in, long expectedSize) {
        return new Reader(in, (int) Math.min(4L * maxSize, Math.max(64, expectedSize + 1)));
    }

    public final class Reader {
        private final InputStream in;
        /** Read ahead; the next chunk starts at {@code start}. Compacted only when the tail runs short. */
        private byte[] buffer;
        private int start;
        private int filled;
        private boolean eof;

        private Reader(InputStream in, int bufferSize) {
            this.in = in;
            this.buffer = new byte[bufferSize];
        }

        /** The next chunk, or null at the end of the stream (an empty stream has no chunk). */
        public byte[] next() throws IOException {
            if (!eof && filled - start < maxSize) {
                System.arraycopy(buffer, start, buffer, 0, filled - start);
                filled -= start;
                start = 0;
                while (!eof) {
                    if (filled == buffer.length) {
                        if (buffer.length >= 4 * maxSize) {
                            break;
                        }
                        // longer than expected: the full read-ahead, so that cuts see what they would without the hint
                        buffer = Arrays.copyOf(buffer, 4 * maxSize);
                    }
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
