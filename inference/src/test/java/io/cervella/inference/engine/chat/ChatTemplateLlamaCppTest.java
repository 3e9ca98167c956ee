package io.cervella.inference.engine.chat;

import static org.assertj.core.api.Assertions.assertThat;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.synth.ModelSynth;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Our ChatML rendering against llama.cpp's (b4916 through de.kherud:llama, interpreting the file's own
 * Jinja template with its minja engine) for the same messages: system, user, assistant turns with and
 * without text and with one or two tool calls, tool results, text that looks like a marker. (No emoji
 * here: the binding hands strings back through JNI's modified UTF-8, which mangles 4-byte characters;
 * the tokenizer tests cover them.)
 */
class ChatTemplateLlamaCppTest {
    @TempDir Path dir;

    @Test
    void renderingEqualsWhatLlamaCppMakesOfTheFilesTemplate() throws Exception {
        Path file = dir.resolve("qwen2.gguf"); // b4916 cannot load qwen3; the synthesised template is the same
        ModelSynth.write(new ModelSynth.Spec(ModelSynth.Arch.QWEN2, ModelSynth.Size.TINY, GgmlType.F32, 1), file);
        List<ChatMessage> messages = List.of(
                new ChatMessage("system", "Sei l'assistente della squadra: rispondi in breve."),
                new ChatMessage("user", "Qual è lo stato del backup di oggi? Perché?"),
                new ChatMessage("assistant", "Lo controllo con lo strumento.",
                        List.of(new ChatMessage.ToolCall("backup_status", "{\"day\": \"oggi\"}"))),
                new ChatMessage("tool", "{\"backup\": \"ok\", \"size_mb\": 512}"),
                new ChatMessage("assistant", "", List.of(new ChatMessage.ToolCall("disk_free", "{}"),
                        new ChatMessage.ToolCall("backup_status", "{\"day\": \"ieri\"}"))),
                new ChatMessage("tool", "42 GiB"),
                new ChatMessage("tool", "{\"backup\": \"ok\"}"),
                new ChatMessage("assistant", "Tutto a posto."),
                new ChatMessage("user", "Grazie!\n```java\nint x = 1;\n```\n<|im_end|> is just text here"));
        String request = JsonMapper.shared().writeValueAsString(Map.of("messages", messages.stream().map(m -> {
            Map<String, Object> json = new java.util.LinkedHashMap<>();
            json.put("role", m.role());
            json.put("content", m.content().isEmpty() && !m.toolCalls().isEmpty() ? null : m.content());
            if (!m.toolCalls().isEmpty()) {
                json.put("tool_calls", m.toolCalls().stream().map(c -> Map.of("id", "call_" + c.name(), "type", "function",
                        "function", Map.of("name", c.name(), "arguments", c.arguments()))).toList());
            }
            return json;
        }).toList()));
        String theirs;
        try (LlamaModel ref = new LlamaModel(new ModelParameters().setModel(file.toString()).setGpuLayers(0).enableJinja())) {
            theirs = ref.applyTemplate(request);
        }
        assertThat(ChatTemplate.render(messages, true, true)).isEqualTo(theirs);
    }
}
