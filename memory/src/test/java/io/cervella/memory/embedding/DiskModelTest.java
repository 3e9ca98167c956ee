package io.cervella.memory.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models from disk: the jar's all-MiniLM-L6-v2 written out as files, as a user's downloaded model
 * would be; tokenizer.json files read by Hugging Face's own tokenizers library where they are not
 * WordPiece (the Unigram kind multilingual-e5 uses), and checked against our WordPiece reader.
 */
class DiskModelTest {
    @TempDir static Path dir;
    static Path onnx;
    static Path wordPieceJson;
    static Path unigramJson;

    @BeforeAll
    static void writeFiles() throws Exception {
        onnx = dir.resolve("model.onnx");
        wordPieceJson = dir.resolve("tokenizer.json");
        try (InputStream m = resource("all-minilm-l6-v2.onnx"); InputStream t = resource("all-minilm-l6-v2-tokenizer.json")) {
            Files.copy(m, onnx);
            Files.copy(t, wordPieceJson);
        }
        // A small SentencePiece-style Unigram tokenizer, laid out as XLM-R's (multilingual-e5's) tokenizer.json
        unigramJson = dir.resolve("unigram.json");
        Files.writeString(unigramJson, """
                {"version":"1.0","truncation":null,"padding":null,
                 "added_tokens":[{"id":0,"content":"<s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
                                 {"id":2,"content":"</s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
                                 {"id":3,"content":"<unk>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
                 "normalizer":{"type":"NFKC"},
                 "pre_tokenizer":{"type":"Metaspace","replacement":"\\u2581","prepend_scheme":"always","split":true},
                 "post_processor":{"type":"TemplateProcessing",
                   "single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}}],
                   "pair":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"</s>","type_id":0}}],
                   "special_tokens":{"<s>":{"id":"<s>","ids":[0],"tokens":["<s>"]},"</s>":{"id":"</s>","ids":[2],"tokens":["</s>"]}}},
                 "decoder":{"type":"Metaspace","replacement":"\\u2581","prepend_scheme":"always","split":true},
                 "model":{"type":"Unigram","unk_id":3,"byte_fallback":false,"vocab":[
                   ["<s>",0.0],["<pad>",0.0],["</s>",0.0],["<unk>",0.0],
                   ["\\u2581",-2.0],["\\u2581ciao",-4.0],["\\u2581mondo",-5.0],["\\u2581mon",-4.0],["do",-4.0],
                   ["\\u2581c",-6.0],["iao",-6.0],["a",-7.0],["o",-7.0],["m",-7.0],["n",-7.0],["d",-7.0],["i",-7.0],["c",-7.0]]}}
                """);
    }

    private static InputStream resource(String name) {
        return DiskModelTest.class.getClassLoader().getResourceAsStream(name);
    }

    @Test
    void huggingFaceTokenizersAgreeWithOurWordPiece() throws Exception {
        WordPieceTokenizer ours;
        try (InputStream in = Files.newInputStream(wordPieceJson)) {
            ours = WordPieceTokenizer.read(in);
        }
        try (NativeHfTokenizer theirs = NativeHfTokenizer.read(wordPieceJson, ours.maxLength())) {
            for (String text : List.of("Hello world", "HELLO,   world!", "Perché il backup è notturno?",
                    "Città: Milano — l'indice HNSW (Lucene 10) tiene 100k vettori.", "naïve café 東京 🙂 tab\there",
                    "unbelievably-long_identifier.with.dots", "word ".repeat(600))) {
                assertThat(ours.encode(text)).as(text).containsExactly(theirs.encode(text));
            }
        }
    }

    @Test
    void unigramTokenizersArePickedByViterbi() throws Exception {
        try (NativeHfTokenizer t = NativeHfTokenizer.read(unigramJson, 512)) {
            // the most probable cut: "▁ciao" (-4) beats "▁c"+"iao" (-12); "▁mondo" (-5) beats "▁mon"+"do" (-8)
            assertThat(t.encode("ciao mondo")).containsExactly(0, 5, 6, 2);
            assertThat(t.encode("ciao ciao ciao")).hasSize(5);
        }
        try (NativeHfTokenizer t = NativeHfTokenizer.read(unigramJson, 4)) {
            assertThat(t.encode("ciao mondo ciao mondo")).as("cut to 4, special tokens kept").containsExactly(0, 5, 6, 2);
        }
    }

    @Test
    void aDiskModelEmbedsLikeTheJarModelAndTakesAnyTokenizer() throws Exception {
        try (OnnxEmbeddingModel jar = OnnxEmbeddingModel.loadDefault(2);
             OnnxEmbeddingModel disk = OnnxEmbeddingModel.load("minilm-disk", onnx, wordPieceJson,
                     OnnxEmbeddingModel.Pooling.MEAN, 256, 2);
             OnnxEmbeddingModel cls = OnnxEmbeddingModel.load("minilm-cls", onnx, wordPieceJson,
                     OnnxEmbeddingModel.Pooling.CLS, 256, 2);
             OnnxEmbeddingModel unigram = OnnxEmbeddingModel.load("minilm-unigram", onnx, unigramJson,
                     OnnxEmbeddingModel.Pooling.MEAN, 256, 2)) {
            List<String> texts = List.of("I backup vanno in due regioni.", "The GPU box is an L4.");
            assertThat(disk.name()).isEqualTo("minilm-disk");
            assertThat(disk.embed(texts, null)).isDeepEqualTo(jar.embed(texts, null));
            float[] pooledByCls = cls.embed(texts, null)[0];
            assertThat(pooledByCls).hasSize(384).isNotEqualTo(disk.embed(texts, null)[0]);
            assertThat(norm(pooledByCls)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            float[] v = unigram.embed(List.of("ciao mondo"), null)[0];
            assertThat(v).hasSize(384);
            assertThat(norm(v)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void badFilesAreNamedInTheError() throws Exception {
        Path notJson = Files.writeString(dir.resolve("bad.json"), "{not json");
        assertThatThrownBy(() -> OnnxEmbeddingModel.load("x", onnx, notJson, OnnxEmbeddingModel.Pooling.MEAN, 256, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad.json");
        Path notOnnx = Files.writeString(dir.resolve("bad.onnx"), "garbage");
        assertThatThrownBy(() -> OnnxEmbeddingModel.load("x", notOnnx, wordPieceJson, OnnxEmbeddingModel.Pooling.MEAN, 256, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad.onnx");
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
