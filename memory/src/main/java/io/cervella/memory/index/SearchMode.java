package io.cervella.memory.index;

/** How a query is matched: by meaning, by words, or both fused by reciprocal rank. */
public enum SearchMode { VECTOR, KEYWORD, HYBRID }
