package io.cervella.app.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.models.Model;
import io.cervella.app.testkit.FakeOpenAiServer;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.app.testkit.Yaml;
import io.cervella.core.http.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official OpenAI Java client against the gateway, over TLS, with a real upstream server. */
class OpenAiClientTest {
    @TempDir static Path dir;
    static FakeOpenAiServer upstream;
    static RunningPlatform platform;
    static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        upstream = new FakeOpenAiServer("up1").start();
        platform = RunningPlatform.start(dir, Yaml.model("api_key_env: UPSTREAM_KEY", upstream.baseUrl()));
        client = platform.openai(platform.createKey("{\"name\":\"agent\",\"scopes\":[\"chat\"]}"));
    }

    @AfterAll
    static void stop() throws Exception {
        platform.close();
        upstream.close();
    }

    private static ChatCompletionCreateParams.Builder ask(String text) {
        return ChatCompletionCreateParams.builder().model("baby").addUserMessage(text);
    }

    @Test
    void listsTheConfiguredModels() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        assertThat(ids).containsExactly("baby");
    }

    @Test
    void answersWithoutStreamingAndRenamesTheModelForTheBackend() {
        ChatCompletion c = client.chat().completions().create(ask("ciao").build());
        assertThat(c.choices().getFirst().message().content()).contains("hello from up1");
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(11);
        assertThat(upstream.lastRequest.path("model").asString()).isEqualTo("Qwen/Qwen3-4B");
        assertThat(upstream.lastRequest.path("messages").get(0).path("content").asString()).isEqualTo("ciao");
    }

    @Test
    void streamsChunkByChunkAndEndsCleanly() {
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(ask("hi").build())) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
            });
        }
        assertThat(text.toString()).isEqualTo("tok0 tok1 tok2 tok3 tok4 ");
        // The client did not ask for usage, so the usage chunk the gateway asked the backend for is not passed on.
        assertThat(chunks).noneMatch(c -> c.usage().isPresent());
        assertThat(upstream.lastRequest.path("stream_options").path("include_usage").asBoolean()).isTrue();
    }

    @Test
    void passesTheUsageChunkWhenTheClientAsksForIt() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(ask("hi")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunks::add);
        }
        ChatCompletionChunk last = chunks.getLast();
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(5);
        assertThat(last.usage().orElseThrow().promptTokens()).isEqualTo(11);
    }

    @Test
    void toolsAndResponseFormatReachTheBackendUntouched() {
        FunctionDefinition weather = FunctionDefinition.builder()
                .name("get_weather")
                .description("Weather in a city")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build())
                .build();
        ChatCompletionCreateParams params = ask("weather in Rome?")
                .addFunctionTool(weather)
                .responseFormat(ResponseFormatJsonObject.builder().build())
                .putAdditionalBodyProperty("top_k", JsonValue.from(20))
                .build();
        client.chat().completions().create(params);

        var sent = Json.MAPPER.readTree(Json.bytes(Map.of(
                "tools", List.of(Map.of("type", "function", "function", Map.of(
                        "name", "get_weather", "description", "Weather in a city",
                        "parameters", Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string")))))),
                "response_format", Map.of("type", "json_object"))));
        assertThat(upstream.lastRequest.path("tools")).isEqualTo(sent.path("tools"));
        assertThat(upstream.lastRequest.path("response_format")).isEqualTo(sent.path("response_format"));
        assertThat(upstream.lastRequest.path("top_k").asInt()).isEqualTo(20);
    }
}
