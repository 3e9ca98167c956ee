package io.cervella.memory.ask;

import io.cervella.memory.index.Hit;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompt of an ask: the instructions, the retrieved chunks numbered as sources, and the question,
 * fitted into a budget of tokens. Sources go in by rank; one that does not fit is left out and the
 * next, smaller one may still go in.
 *
 * <p>Tokens are estimated without the chat model's tokenizer: three ASCII characters a token, which is
 * on the safe side for English and Italian prose and Markdown (Qwen's tokenizer averages about four
 * for English), and a token for every other character (CJK, Cyrillic, accents, emoji take one or
 * more characters a token less often than that); a prompt estimated to fit therefore fits.
 */
public record AskPrompt(String system, String user, List<Source> sources, int estimatedTokens) {
    static final String SYSTEM = """
            You answer questions for a team using only the numbered sources from the team's memory that \
            come with the question. Cite every source you use by its number in square brackets, like [1] \
            or [2][3], right after the sentence it supports. If the sources do not hold the answer, say \
            that the memory does not hold it; do not make one up. Answer in the language of the question.""";
    /** The chat template's tokens around each message, and the answer's opening. */
    static final int TEMPLATE_TOKENS = 16;

    public static int estimateTokens(String text) {
        int ascii = 0;
        int other = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < 128) {
                ascii++;
            } else if (!Character.isLowSurrogate(text.charAt(i))) {
                other++;
            }
        }
        return (ascii + 2) / 3 + other;
    }

    /**
     * @param budget tokens the prompt may take: the model's context less the answer's tokens
     * @throws IllegalArgumentException when the question alone does not fit
     */
    public static AskPrompt build(String question, List<Hit> ranked, int budget) {
        int used = checkFits(question, budget);
        List<Source> sources = new ArrayList<>();
        StringBuilder user = new StringBuilder("Sources:\n\n");
        for (Hit hit : ranked) {
            String block = block(sources.size() + 1, hit);
            int cost = estimateTokens(block);
            if (used + cost > budget) {
                continue;
            }
            used += cost;
            sources.add(new Source(sources.size() + 1, hit));
            user.append(block);
        }
        if (sources.isEmpty()) {
            user.setLength(0);
            user.append("Sources: none were found in the memory.\n\n");
        }
        user.append("Question: ").append(question);
        return new AskPrompt(SYSTEM, user.toString(), List.copyOf(sources), used);
    }

    /**
     * @return the tokens the prompt takes without sources
     * @throws IllegalArgumentException when the question alone does not fit
     */
    public static int checkFits(String question, int budget) {
        int used = TEMPLATE_TOKENS + estimateTokens(SYSTEM) + estimateTokens("Question: " + question)
                + estimateTokens("Sources:\n\n");
        if (used > budget) {
            throw new IllegalArgumentException("the question is too long for the chat model's context (about "
                    + used + " tokens with the instructions; the prompt may take " + budget + ")");
        }
        return used;
    }

    /** One source as the model reads it: number, document and heading path, then the chunk's text. */
    private static String block(int number, Hit hit) {
        StringBuilder b = new StringBuilder();
        b.append('[').append(number).append("] ").append(hit.documentId());
        if (!hit.headings().isEmpty()) {
            b.append(" > ").append(String.join(" > ", hit.headings()));
        }
        b.append('\n').append(hit.text().strip()).append("\n\n");
        return b.toString();
    }
}
