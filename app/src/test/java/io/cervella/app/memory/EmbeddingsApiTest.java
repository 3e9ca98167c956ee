package io.cervella.app.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.PermissionDeniedException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import io.cervella.app.testkit.RunningPlatform;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /v1/embeddings of the running platform, through the official OpenAI Java client. */
class EmbeddingsApiTest {
    @TempDir static Path dir;
    static RunningPlatform platform;
    static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        platform = RunningPlatform.start(dir, "");
        client = platform.openai(platform.createKey("{\"name\":\"rag\",\"scopes\":[\"embeddings\"]}"));
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    @Test
    void stringsAndArraysGiveUnitVectorsWithUsage() {
        CreateEmbeddingResponse one = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("all-minilm-l6-v2").input("Backups run every night to two regions.").build());
        assertThat(one.data()).hasSize(1);
        List<Float> v = one.data().getFirst().embedding();
        assertThat(v).hasSize(384);
        assertThat(v.stream().mapToDouble(x -> x * x).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(one.usage().promptTokens()).isEqualTo(one.usage().totalTokens()).isPositive();

        List<String> texts = new java.util.ArrayList<>();
        for (int i = 0; i < 70; i++) { // more than one batch of the model
            texts.add("note number " + i);
        }
        CreateEmbeddingResponse many = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("all-minilm-l6-v2").inputOfArrayOfStrings(texts).build());
        assertThat(many.data()).hasSize(70);
        for (int i = 0; i < 70; i++) {
            assertThat(many.data().get(i).index()).isEqualTo(i);
        }
    }

    @Test
    void base64GivesTheSameVectorAsFloats() throws Exception {
        String body = "{\"model\":\"all-minilm-l6-v2\",\"input\":\"ciao\",\"encoding_format\":\"base64\"}";
        var r = platform.post("/v1/embeddings", key(), body);
        assertThat(r.statusCode()).isEqualTo(200);
        String b64 = RunningPlatform.json(r).path("data").get(0).path("embedding").asString();
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
        List<Float> floats = client.embeddings().create(EmbeddingCreateParams.builder().model("all-minilm-l6-v2")
                .input("ciao").build()).data().getFirst().embedding();
        assertThat(bytes.remaining()).isEqualTo(384 * 4);
        for (float f : floats) {
            assertThat(bytes.getFloat()).isEqualTo(f);
        }
    }

    @Test
    void badRequestsAreClearErrors() throws Exception {
        assertThatThrownBy(() -> client.embeddings().create(EmbeddingCreateParams.builder().model("nope").input("x").build()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("all-minilm-l6-v2");
        assertThatThrownBy(() -> client.embeddings().create(EmbeddingCreateParams.builder().model("all-minilm-l6-v2")
                .input("x").dimensions(128).build())).isInstanceOf(BadRequestException.class).hasMessageContaining("384");
        for (String bad : List.of("{\"model\":\"all-minilm-l6-v2\"}", "{\"model\":\"all-minilm-l6-v2\",\"input\":[1,2]}",
                "{\"model\":\"all-minilm-l6-v2\",\"input\":[]}", "{\"model\":\"all-minilm-l6-v2\",\"input\":\"\"}",
                "{\"model\":\"all-minilm-l6-v2\",\"input\":\"x\",\"encoding_format\":\"hex\"}", "[]")) {
            var r = platform.post("/v1/embeddings", key(), bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(RunningPlatform.json(r).path("error").path("message").asString()).as(bad).isNotBlank();
        }
        OpenAIClient chatOnly = platform.openai(platform.createKey("{\"name\":\"chat\",\"scopes\":[\"chat\"]}"));
        assertThatThrownBy(() -> chatOnly.embeddings().create(EmbeddingCreateParams.builder().model("all-minilm-l6-v2")
                .input("x").build())).isInstanceOf(PermissionDeniedException.class);
    }

    private static String cached;

    private static synchronized String key() throws Exception {
        if (cached == null) {
            cached = platform.createKey("{\"name\":\"raw\",\"scopes\":[\"embeddings\"]}");
        }
        return cached;
    }
}
