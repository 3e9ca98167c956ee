package io.cervella.app.cli;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The prompts {@code cervella bench} sends: a tag that differs per request, then filler words taken in
 * turn from one fixed passage, then an instruction to write at length. The client cannot tokenize as
 * the server does, so the filler is sized from two short requests: one without filler (the fixed
 * overhead: chat template, tag, instruction) and one with the passage once (its tokens); words split
 * on spaces tokenize alike wherever they stand, so the rest is a proportion.
 */
final class BenchPrompt {
    /** Ordinary prose, so that a real model reads it as text and its tokenizer sees common words. */
    static final String[] PASSAGE = ("""
            The team keeps its notes in plain files, one folder for each project, and every morning the
            agents read what changed the day before. A note says what was decided, why, and what is still
            open. When a question comes back months later, the answer is usually in a note that somebody
            wrote in a hurry, so the notes are searched by meaning and not only by words. The server that
            holds them runs on a small machine in the office, and a second copy is kept in another city in
            case the first one is lost.""").strip().split("\\s+");

    private static final String INSTRUCTION = "Write a long, detailed story about the people who wrote the notes above.";

    private BenchPrompt() {}

    /**
     * A prompt of {@code words} filler words. The tag's digits come first and differ per call, so that
     * a server reusing a cached prompt prefix (the embedded engine and vLLM do) reuses almost nothing.
     */
    static String of(int words) {
        int tag = ThreadLocalRandom.current().nextInt(100_000, 1_000_000); // always six digits: a fixed token count
        StringBuilder sb = new StringBuilder().append(tag).append(". Notes:\n\n");
        for (int i = 0; i < words; i++) {
            sb.append(i == 0 ? "" : " ").append(PASSAGE[i % PASSAGE.length]);
        }
        return sb.append("\n\n").append(INSTRUCTION).toString();
    }

    /**
     * The filler words that make a prompt of about {@code targetTokens}, given the prompt tokens the
     * server counted without filler and with the passage once; none when the overhead alone is as long.
     */
    static int wordsFor(long targetTokens, long tokensWithoutFiller, long tokensWithPassage) {
        double tokensPerWord = Math.max(1, tokensWithPassage - tokensWithoutFiller) / (double) PASSAGE.length;
        return (int) Math.max(0, Math.round((targetTokens - tokensWithoutFiller) / tokensPerWord));
    }
}
