package io.cervella.inference.engine.chat;

import java.util.List;

/** One turn: system, user, assistant or tool; an assistant turn may carry the tool calls it made. */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls) {
    /** A call of a function: its name and its arguments as JSON text, as the OpenAI API carries them. */
    public record ToolCall(String name, String arguments) {
        public ToolCall {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a tool call needs a function name");
            }
            arguments = arguments == null || arguments.isBlank() ? "{}" : arguments;
        }
    }

    public ChatMessage {
        if (!role.equals("system") && !role.equals("user") && !role.equals("assistant") && !role.equals("tool")) {
            throw new IllegalArgumentException("role must be system, user, assistant or tool, was '" + role + "'");
        }
        content = content == null ? "" : content;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        if (!toolCalls.isEmpty() && !role.equals("assistant")) {
            throw new IllegalArgumentException("only assistant turns carry tool calls");
        }
    }

    public ChatMessage(String role, String content) {
        this(role, content, List.of());
    }
}
