package io.cervella.memory.embedding;

/** Text into the token ids an embedding model reads, special tokens included, cut to the model's length. */
public interface TextTokenizer extends AutoCloseable {
    int[] encode(String text);

    @Override
    default void close() {}
}
