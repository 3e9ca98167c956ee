package io.cervella.app.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import io.cervella.app.WorkerPlatform;
import io.cervella.core.keys.NodeToken;
import io.cervella.core.tls.LocalCertificateAuthority;
import io.cervella.core.tls.PemFiles;
import io.cervella.core.tls.TlsMaterial;
import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.synth.ModelSynth;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cervella worker} with a synthesised model, through the official OpenAI client over TLS. */
class WorkerTest {
    @TempDir static Path dir;
    static WorkerPlatform worker;
    static String token;
    static SSLContext ssl;
    static X509TrustManager trust;

    @BeforeAll
    static void start() throws Exception {
        Path model = dir.resolve("baby.gguf");
        ModelSynth.write(new ModelSynth.Spec(ModelSynth.Arch.QWEN3, ModelSynth.Size.TINY, GgmlType.Q8_0, 2), model);
        LocalCertificateAuthority ca = new LocalCertificateAuthority(dir.resolve("tls"), Clock.systemUTC());
        TlsMaterial tls = ca.ensure(LocalCertificateAuthority.defaultNames(List.of()));
        token = NodeToken.generate();
        worker = WorkerPlatform.start(new WorkerPlatform.Settings(model, "cervella-baby", "127.0.0.1", 0, 2, 512, 2), tls, token);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", PemFiles.readCertificates(ca.caCertificateFile()).getFirst());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        trust = (X509TrustManager) tmf.getTrustManagers()[0];
        ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
    }

    @AfterAll
    static void stop() {
        worker.close();
    }

    private static OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl("https://localhost:" + worker.port() + "/v1").apiKey(key)
                .sslSocketFactory(ssl.getSocketFactory()).trustManager(trust).maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
    }

    private static ChatCompletionCreateParams.Builder ask(String text) {
        return ChatCompletionCreateParams.builder().model("cervella-baby").addSystemMessage("Sei un agente.")
                .addUserMessage(text).maxCompletionTokens(12).temperature(0.0);
    }

    @Test
    void answersAndStreamsTheSameGreedyText() {
        OpenAIClient c = client(token);
        assertThat(c.models().list().data()).extracting(m -> m.id()).containsExactly("cervella-baby");
        ChatCompletion whole = c.chat().completions().create(ask("Ciao").build());
        String text = whole.choices().getFirst().message().content().orElse("");
        assertThat(whole.usage().orElseThrow().completionTokens()).isBetween(1L, 12L);

        StringBuilder streamed = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = c.chat().completions().createStreaming(ask("Ciao")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(ch -> {
                chunks.add(ch);
                ch.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append));
            });
        }
        assertThat(streamed.toString()).isEqualTo(text);
        assertThat(chunks.getLast().usage().orElseThrow().completionTokens())
                .isEqualTo(whole.usage().orElseThrow().completionTokens());
        // the second identical request reused the cached prompt
        assertThat(chunks.getLast().usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens().orElse(0L))
                .isPositive();
    }

    @Test
    void onlyTheNodeTokenIsAccepted() {
        assertThatThrownBy(() -> client("cn_wrong_token_wrong_token_wrong_token_x").models().list())
                .isInstanceOf(UnauthorizedException.class);
    }

    @Test
    void badRequestsAre400() {
        assertThatThrownBy(() -> client(token).chat().completions().create(ask("x").temperature(5.0).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> client(token).chat().completions().create(ChatCompletionCreateParams.builder()
                .model("cervella-baby").addUserMessage("parola ".repeat(3000)).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("context");
        // streamed too: the error comes before the stream starts, not as a cut-off 200
        assertThatThrownBy(() -> {
            try (var s = client(token).chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                    .model("cervella-baby").addUserMessage("parola ".repeat(3000)).build())) {
                s.stream().forEach(x -> {});
            }
        }).isInstanceOf(BadRequestException.class).hasMessageContaining("context");
        assertThatThrownBy(() -> client(token).chat().completions().create(ask("x")
                .stopOfStrings(List.of("a", "b", "c", "d", "e")).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("at most 4");
    }

    /** An earlier assistant turn that called tools, and the tools' answers, go into the prompt; bad calls are a 400. */
    @Test
    void conversationsWithToolCallsAreAnswered() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(ssl).build();
        String good = """
                {"model": "cervella-baby", "max_tokens": 4, "temperature": 0, "messages": [
                  {"role": "user", "content": "Com'è il backup?"},
                  {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                    "function": {"name": "backup_status", "arguments": "{\\"day\\": \\"oggi\\"}"}}]},
                  {"role": "tool", "tool_call_id": "call_1", "content": "ok"}]}""";
        java.net.http.HttpResponse<String> answered = http.send(post(good), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        assertThat(answered.body()).contains("\"prompt_tokens\"");

        for (String badCall : List.of("{\"function\": {\"name\": \"f\", \"arguments\": 1}}",
                "{\"function\": {\"name\": \"a\\\"b\", \"arguments\": \"{}\"}}",
                "{\"function\": {\"name\": \"f\", \"arguments\": \"{not json\"}}")) {
            String bad = good.replace("\"tool_calls\": [", "\"tool_calls\": [" + badCall + ", ");
            java.net.http.HttpResponse<String> refused = http.send(post(bad), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(badCall).isEqualTo(400);
            assertThat(refused.body()).contains("tool_calls[0]");
        }
    }

    private static java.net.http.HttpRequest post(String body) {
        return java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + worker.port() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
