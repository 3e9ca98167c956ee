package io.cervella.inference.engine.sampling;

/**
 * How the next token is chosen, in OpenAI's terms plus the usual open-model extras.
 *
 * @param temperature       0 picks the most likely token (greedy); higher flattens the distribution
 * @param topP              keep the smallest set of tokens whose probabilities reach this total (1 = all)
 * @param topK              keep the k most likely tokens (0 = all)
 * @param minP              drop tokens less likely than minP × the most likely one (0 = none)
 * @param repetitionPenalty divide positive / multiply negative logits of tokens seen recently (1 = off)
 * @param presencePenalty   subtract from the logit of every token seen recently (0 = off)
 * @param frequencyPenalty  subtract this times the number of times a token was seen recently (0 = off)
 * @param seed              same seed and same input give the same output; null draws a random seed
 */
public record SamplingParams(double temperature, double topP, int topK, double minP, double repetitionPenalty,
                             double presencePenalty, double frequencyPenalty, Long seed) {
    /** How many recent tokens the penalties look at (llama.cpp's default). */
    public static final int PENALTY_WINDOW = 64;

    public SamplingParams {
        check(temperature >= 0 && temperature <= 2, "temperature must be between 0 and 2");
        check(topP > 0 && topP <= 1, "top_p must be greater than 0 and at most 1");
        check(topK >= 0, "top_k must not be negative");
        check(minP >= 0 && minP <= 1, "min_p must be between 0 and 1");
        check(repetitionPenalty > 0 && repetitionPenalty <= 10, "repetition_penalty must be greater than 0 and at most 10");
        check(presencePenalty >= -2 && presencePenalty <= 2, "presence_penalty must be between -2 and 2");
        check(frequencyPenalty >= -2 && frequencyPenalty <= 2, "frequency_penalty must be between -2 and 2");
    }

    public static SamplingParams greedy() {
        return new SamplingParams(0, 1, 0, 0, 1, 0, 0, null);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
