package io.cervella.inference.engine.chat;

/** One turn: system, user, assistant or tool. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        if (!role.equals("system") && !role.equals("user") && !role.equals("assistant") && !role.equals("tool")) {
            throw new IllegalArgumentException("role must be system, user, assistant or tool, was '" + role + "'");
        }
        content = content == null ? "" : content;
    }
}
