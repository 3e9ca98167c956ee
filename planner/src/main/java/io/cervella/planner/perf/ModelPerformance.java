package io.cervella.planner.perf;

/**
 * How fast the workload's model runs on one replica of some hardware: prompt processing (prefill) and
 * generation of one stream (decode).
 */
public record ModelPerformance(String hardware, Rate prefill, Rate decode) {

    /** Seconds to the first token of a request with {@code promptTokens}, the server otherwise idle. */
    public double prefillSeconds(double promptTokens) {
        return promptTokens / prefill.tokensPerSecond();
    }

    /** Seconds one request occupies a slot: its prompt, then its completion one token at a time. */
    public double serviceSeconds(double promptTokens, double completionTokens) {
        return prefillSeconds(promptTokens) + completionTokens / decode.tokensPerSecond();
    }
}
