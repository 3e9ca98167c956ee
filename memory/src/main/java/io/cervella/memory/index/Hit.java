package io.cervella.memory.index;

import java.util.List;

/** A chunk found by a search: where it is, what it says, and its score (higher is better). */
public record Hit(String documentId, int chunkIndex, List<String> headings, int start, int end, String text, float score) {}
