package io.cervella.inference.engine.chat;

import java.util.List;

/**
 * Renders a conversation into the text the model was trained on. ChatML (Qwen2, Qwen3 and the files
 * {@code model synth} writes) is rendered here directly: the file's Jinja template is recognised by
 * its markers, not interpreted. Qwen3's thinking switch: with thinking off, the assistant turn starts
 * with an empty think block, which is what Qwen3's own template does.
 */
public final class ChatTemplate {
    private ChatTemplate() {}

    /** Checks that we can render what the file's template describes; the message says what we found. */
    public static void requireSupported(String template) {
        if (template == null || !template.contains("<|im_start|>")) {
            throw new IllegalArgumentException("the model's chat template is not ChatML (<|im_start|>...); only"
                    + " ChatML templates (Qwen2, Qwen3) are supported so far");
        }
    }

    public static String render(List<ChatMessage> messages, boolean addGenerationPrompt, boolean enableThinking) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            if (m.role().equals("tool")) {
                sb.append("<|im_start|>user\n<tool_response>\n").append(m.content()).append("\n</tool_response><|im_end|>\n");
            } else {
                sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
            }
        }
        if (addGenerationPrompt) {
            sb.append("<|im_start|>assistant\n");
            if (!enableThinking) {
                sb.append("<think>\n\n</think>\n\n");
            }
        }
        return sb.toString();
    }

    /** Splits a Qwen3 answer into its reasoning (inside think tags) and the answer proper. */
    public record Split(String reasoning, String answer) {}

    public static Split splitReasoning(String text) {
        int open = text.indexOf("<think>");
        int close = text.indexOf("</think>");
        if (close < 0) {
            return new Split(null, text);
        }
        String reasoning = text.substring(open >= 0 && open < close ? open + "<think>".length() : 0, close).strip();
        return new Split(reasoning.isEmpty() ? null : reasoning, text.substring(close + "</think>".length()).stripLeading());
    }
}
