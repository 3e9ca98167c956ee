package io.cervella.memory.index;

import java.util.List;

/** A condition on a chunk's metadata, applied inside the search (not to its results afterwards). */
public sealed interface Filter {
    /** The field holds this text. */
    record Equals(String field, String value) implements Filter {}

    /** The field holds one of these texts. */
    record AnyOf(String field, List<String> values) implements Filter {}

    /** The field's number lies in [min, max]; a null bound is open. */
    record Range(String field, Double min, Double max) implements Filter {}
}
