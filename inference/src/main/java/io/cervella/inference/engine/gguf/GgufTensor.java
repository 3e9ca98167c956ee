package io.cervella.inference.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One tensor of a GGUF file: its name, shape ({@code dims[0]} is the row length), type, and its bytes
 * as a slice of the file's mapping.
 */
public record GgufTensor(String name, long[] dims, GgmlType type, long offset, MemorySegment data) {
    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    public long rowLength() {
        return dims[0];
    }

    public long rows() {
        return elements() / dims[0];
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims);
    }
}
