package io.cervella.app.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.app.CervellaConfig;
import io.cervella.app.testkit.RunningPlatform;
import io.cervella.core.config.ConfigException;
import io.cervella.memory.embedding.EmbeddingModels;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Embedding models from the config: an ONNX model + tokenizer.json on disk (the jar's MiniLM written
 * out, as a downloaded model would be), and an openai-type model served by another Cervella node over
 * TLS with its own CA (a real OpenAI-compatible /v1/embeddings).
 */
class EmbeddingModelsConfigTest {
    @TempDir Path dir;

    @Test
    void diskAndRemoteModelsServeEmbeddingsAndCollections() throws Exception {
        Path onnx = dir.resolve("model.onnx");
        Path tokenizer = dir.resolve("tokenizer.json");
        try (InputStream m = resource("all-minilm-l6-v2.onnx"); InputStream t = resource("all-minilm-l6-v2-tokenizer.json")) {
            Files.copy(m, onnx);
            Files.copy(t, tokenizer);
        }
        try (RunningPlatform remote = RunningPlatform.start(dir.resolve("remote"), "")) {
            String remoteKey = remote.createKey("{\"name\":\"node-b\",\"scopes\":[\"embeddings\"]}");
            String yaml = """
                    memory:
                      embedding_model: minilm-disk
                      embedding_models:
                        - name: minilm-disk
                          type: onnx
                          onnx: %s
                          tokenizer: %s
                          query_prefix: "query: "
                          document_prefix: "passage: "
                        - name: remote-minilm
                          type: openai
                          url: %s/v1
                          model: all-minilm-l6-v2
                          api_key_env: REMOTE_KEY
                          ca_file: %s
                          batch_size: 2
                    """.formatted(onnx, tokenizer, remote.baseUrl(), remote.caFile());
            try (RunningPlatform p = RunningPlatform.start(dir.resolve("local"), yaml, Map.of("REMOTE_KEY", remoteKey))) {
                String key = p.createKey("{\"name\":\"agent\",\"scopes\":[\"embeddings\",\"memory\"]}");
                String input = "{\"input\":[\"I backup vanno in due regioni.\",\"The GPU box is an L4.\",\"Terzo testo\"],\"model\":\"%s\"}";
                JsonNode builtIn = RunningPlatform.json(p.post("/v1/embeddings", key, input.formatted("all-minilm-l6-v2")));
                JsonNode disk = RunningPlatform.json(p.post("/v1/embeddings", key, input.formatted("minilm-disk")));
                var remoteAnswer = p.post("/v1/embeddings", key, input.formatted("remote-minilm"));
                assertThat(remoteAnswer.statusCode()).as(remoteAnswer.body()).isEqualTo(200);
                JsonNode viaRemote = RunningPlatform.json(remoteAnswer);
                for (int i = 0; i < 3; i++) {
                    float[] a = vector(builtIn, i);
                    // raw /v1/embeddings: no prefix; the same model file gives the same vectors
                    assertThat(vector(disk, i)).containsExactly(a);
                    // through another node in batches of 2, back to unit length: equal up to float rounding
                    assertThat(vector(viaRemote, i)).containsExactly(a, org.assertj.core.data.Offset.offset(1e-6f));
                }
                assertThat(viaRemote.path("usage").path("prompt_tokens").asLong())
                        .isEqualTo(builtIn.path("usage").path("prompt_tokens").asLong());

                // collections: the configured default, and one on the remote model
                JsonNode c = RunningPlatform.json(p.post("/memory/collections", key, "{\"name\":\"notes\"}"));
                assertThat(c.path("model").asString()).isEqualTo("minilm-disk");
                JsonNode r = RunningPlatform.json(p.post("/memory/collections", key, "{\"name\":\"far\",\"model\":\"remote-minilm\"}"));
                assertThat(r.path("dimension").asInt()).isEqualTo(384);
                for (String col : new String[] {"notes", "far"}) {
                    p.post("/memory/collections/" + col + "/documents", key, "{\"id\":\"a.md\",\"content\":\"I backup notturni vanno in due regioni.\"}");
                    p.post("/memory/collections/" + col + "/documents", key, "{\"id\":\"b.md\",\"content\":\"The GPU box is an L4 rented by the hour.\"}");
                    JsonNode hits = RunningPlatform.json(p.post("/memory/collections/" + col + "/search", key,
                            "{\"query\":\"where do backups go\",\"mode\":\"vector\",\"k\":1}"));
                    assertThat(hits.path("data").get(0).path("document").asString()).as(col).isEqualTo("a.md");
                }

                // every /v1/embeddings request is in the ledger, with where it ran
                JsonNode byBackend = RunningPlatform.json(p.get("/admin/usage?by=backend&since=1h", p.adminKey())).path("data");
                assertThat(byBackend).anySatisfy(row -> {
                    assertThat(row.path("group").asString()).isEqualTo("localhost:" + remote.platform().port());
                    assertThat(row.path("requests").asLong()).isEqualTo(1);
                });
                assertThat(byBackend).anySatisfy(row -> {
                    assertThat(row.path("group").asString()).isEqualTo("in-process");
                    assertThat(row.path("requests").asLong()).isEqualTo(2);
                    assertThat(row.path("prompt_tokens").asLong()).isEqualTo(2 * builtIn.path("usage").path("prompt_tokens").asLong());
                });

                // the remote node goes away: a clear 503, and the document is not half-written
                remote.close();
                var down = p.post("/memory/collections/far/documents", key, "{\"id\":\"c.md\",\"content\":\"new note\"}");
                assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
                assertThat(RunningPlatform.json(down).path("error").path("code").asString()).isEqualTo("embedding_model_unavailable");
                assertThat(p.get("/memory/collections/far/documents?id=c.md", key).statusCode()).isEqualTo(404);
                assertThat(p.post("/v1/embeddings", key, input.formatted("remote-minilm")).statusCode()).isEqualTo(503);
            }
        }
    }

    @Test
    void badModelSettingsStopTheStartNamingTheKey() throws Exception {
        Files.writeString(dir.resolve("cervella.yaml"), """
                memory:
                  embedding_models:
                    - name: e5
                      type: onnx
                      onnx: /nowhere/model.onnx
                      tokenizer: /nowhere/tokenizer.json
                """);
        CervellaConfig config = CervellaConfig.load(null, dir);
        assertThatThrownBy(() -> EmbeddingModels.fromConfig(config.memory(), k -> null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("memory.embedding_models[0].onnx: no such file");
        Files.writeString(dir.resolve("cervella.yaml"), """
                memory:
                  embedding_models:
                    - {name: far, type: openai, url: "https://api.example/v1", api_key_env: FAR_KEY}
                """);
        CervellaConfig remote = CervellaConfig.load(null, dir);
        assertThatThrownBy(() -> EmbeddingModels.fromConfig(remote.memory(), k -> null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("api_key_env").hasMessageContaining("FAR_KEY");
        Files.writeString(dir.resolve("cervella.yaml"), "memory:\n  embedding_model: nope\n");
        assertThatThrownBy(() -> CervellaConfig.load(null, dir)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("embedding_model");
        Files.writeString(dir.resolve("cervella.yaml"), "memory:\n  chat_model: baby\n");
        assertThatThrownBy(() -> CervellaConfig.load(null, dir)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("memory.chat_model");
        Files.writeString(dir.resolve("cervella.yaml"), "memory:\n  embedding_models:\n    - {name: x, type: torch}\n");
        assertThatThrownBy(() -> CervellaConfig.load(null, dir)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("memory.embedding_models[0].type");
    }

    private static float[] vector(JsonNode answer, int i) {
        JsonNode e = answer.path("data").get(i).path("embedding");
        float[] v = new float[e.size()];
        for (int k = 0; k < v.length; k++) {
            v[k] = e.get(k).floatValue();
        }
        return v;
    }

    private static InputStream resource(String name) {
        return EmbeddingModelsConfigTest.class.getClassLoader().getResourceAsStream(name);
    }
}
