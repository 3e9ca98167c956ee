package io.cervella.inference.engine.chat;

import java.util.List;

/**
 * Renders a conversation into the text the model was trained on. ChatML (Qwen2, Qwen3 and the files
 * {@code model synth} writes) is rendered here directly: the file's Jinja template is recognised by
 * its markers, not interpreted. Qwen3's thinking switch: with thinking off, the assistant turn starts
 * with an empty think block, which is what Qwen3's own template does. An assistant turn's tool calls
 * follow its text as Qwen3 writes them: {@code <tool_call>} + one JSON object with the name and the
 * arguments + {@code </tool_call>}, one per call.
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

    /**
     * A piece of a rendered prompt: the template's own markers (special tokens allowed) or the text of a
     * message (encoded as plain text, so that a user cannot write a special token into the prompt).
     */
    public record Part(String text, boolean template) {}

    public static List<Part> renderParts(List<ChatMessage> messages, boolean addGenerationPrompt, boolean enableThinking) {
        List<Part> parts = new java.util.ArrayList<>();
        for (ChatMessage m : messages) {
            if (m.role().equals("tool")) {
                parts.add(new Part("<|im_start|>user\n<tool_response>\n", true));
                parts.add(new Part(m.content(), false));
                parts.add(new Part("\n</tool_response><|im_end|>\n", true));
            } else {
                parts.add(new Part("<|im_start|>" + m.role() + "\n", true));
                parts.add(new Part(m.content(), false));
                for (int i = 0; i < m.toolCalls().size(); i++) {
                    ChatMessage.ToolCall call = m.toolCalls().get(i);
                    parts.add(new Part((i > 0 || !m.content().isEmpty() ? "\n" : "") + "<tool_call>\n", true));
                    parts.add(new Part("{\"name\": \"" + call.name() + "\", \"arguments\": " + call.arguments() + "}", false));
                    parts.add(new Part("\n</tool_call>", true));
                }
                parts.add(new Part("<|im_end|>\n", true));
            }
        }
        if (addGenerationPrompt) {
            parts.add(new Part("<|im_start|>assistant\n" + (enableThinking ? "" : "<think>\n\n</think>\n\n"), true));
        }
        return parts;
    }

    /** The rendered prompt as one string (for display and tests). */
    public static String render(List<ChatMessage> messages, boolean addGenerationPrompt, boolean enableThinking) {
        StringBuilder sb = new StringBuilder();
        renderParts(messages, addGenerationPrompt, enableThinking).forEach(p -> sb.append(p.text()));
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
