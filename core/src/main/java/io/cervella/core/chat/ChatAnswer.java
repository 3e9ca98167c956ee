package io.cervella.core.chat;

/**
 * A finished chat completion.
 *
 * @param finishReason     {@code stop}, {@code length}, ... as the backend said; empty if it said nothing
 * @param promptTokens     as the backend counted them, or -1 when it did not report usage
 * @param completionTokens as the backend counted them, or -1 when it did not report usage
 * @param backend          the backend that answered
 */
public record ChatAnswer(String model, String content, String finishReason, long promptTokens, long completionTokens,
                         String backend) {}
