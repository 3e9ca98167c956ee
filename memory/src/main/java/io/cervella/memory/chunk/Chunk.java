package io.cervella.memory.chunk;

import java.util.List;

/**
 * A piece of a document to embed and find: its place in the document ({@code start} and {@code end}
 * are character offsets, {@code text} is exactly {@code document.substring(start, end)}) and the
 * headings it sits under, outermost first.
 */
public record Chunk(int index, List<String> headings, int start, int end, String text) {
    public Chunk {
        headings = List.copyOf(headings);
    }
}
