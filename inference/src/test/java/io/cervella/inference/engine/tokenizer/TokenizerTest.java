package io.cervella.inference.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.gguf.GgufFile;
import io.cervella.inference.engine.synth.ModelSynth;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenizerTest {
    @TempDir static Path dir;
    static Tokenizer qwen;
    static Tokenizer llama;

    @BeforeAll
    static void load() throws Exception {
        qwen = load(ModelSynth.Arch.QWEN3);
        llama = load(ModelSynth.Arch.LLAMA);
    }

    private static Tokenizer load(ModelSynth.Arch arch) throws Exception {
        Path file = dir.resolve(arch + ".gguf");
        ModelSynth.write(new ModelSynth.Spec(arch, ModelSynth.Size.TINY, GgmlType.Q8_0, 1), file);
        try (GgufFile g = GgufFile.open(file)) {
            return Tokenizer.fromGguf(g);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Ciao! Perché la memoria è cifrata? Perché così nessuno la legge.",
            "naïve café, Größe, 東京, мир, العربية, 🐣🚀✅ — «citazione»",
            "def route(request):\n\treturn backend.send(request)  # 2 spaces\r\n",
            "   leading and trailing spaces   ",
            "I'm sure they'll say it's 12345 or 3.14159, isn't it?",
            "\u0000\u0001 control bytes and a lone \uFFFD",
            "<|im_start|>user\nnot special here<|im_end|>",
            "",
    })
    void encodeDecodeRoundTripsAnyText(String text) {
        for (Tokenizer t : new Tokenizer[] {qwen, llama}) {
            int[] ids = t.encode(text, false);
            assertThat(t.decode(ids, true)).isEqualTo(text);
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(10)
    void aHugeWordWithoutBreaksIsEncodedInBoundedTime() {
        String word = "memoria".repeat(15_000) + "🐣"; // 105k characters, one pre-token
        int[] ids = qwen.encode(word, false);
        assertThat(qwen.decode(ids, true)).isEqualTo(word);
    }

    @Test
    void learnedMergesMakeCommonWordsShort() {
        int[] ids = qwen.encode(" memoria", false);
        assertThat(ids.length).isLessThan(" memoria".getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void specialTokensAreMatchedOnlyWhenAskedFor() {
        String text = "<|im_start|>user\nciao<|im_end|>";
        int imStart = qwen.id("<|im_start|>");
        int imEnd = qwen.id("<|im_end|>");
        int[] special = qwen.encode(text, true);
        assertThat(special[0]).isEqualTo(imStart);
        assertThat(special[special.length - 1]).isEqualTo(imEnd);
        assertThat(qwen.encode(text, false)).doesNotContain(imStart, imEnd);
        assertThat(qwen.decode(special, true)).isEqualTo(text);
        assertThat(qwen.decode(special, false)).isEqualTo("user\nciao");
        assertThat(qwen.encode("<think>\n\n</think>", true)).contains(qwen.id("<think>"), qwen.id("</think>"));
    }

    @Test
    void aStreamNeverEmitsHalfACharacter() {
        String text = "è🐣東";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        StreamDecoder d = new StreamDecoder(qwen, false);
        StringBuilder seen = new StringBuilder();
        for (byte b : bytes) { // one byte token at a time, the worst case
            String piece = d.next(qwen.id(String.valueOf(ByteLevel.charOf(b))));
            assertThat(piece).doesNotContain("\uFFFD"); // a half character would have come out as U+FFFD
            seen.append(piece);
        }
        assertThat(seen.append(d.finish()).toString()).isEqualTo(text);
    }

    @Test
    void anyByteSequenceAModelMightProduceDecodesWithoutError() {
        Random r = new Random(7);
        for (int round = 0; round < 200; round++) {
            int[] ids = new int[r.nextInt(1, 30)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.nextInt(qwen.vocabularySize());
            }
            String s = qwen.decode(ids, true);
            assertThat(s.getBytes(StandardCharsets.UTF_8)).isNotNull(); // well-formed UTF-16, no exception
        }
        // A lone continuation byte and a truncated character at the end both become U+FFFD.
        int cont = qwen.id(String.valueOf(ByteLevel.charOf(0x80)));
        int lead = qwen.id(String.valueOf(ByteLevel.charOf(0xE6)));
        assertThat(qwen.decode(new int[] {cont, lead}, true)).isEqualTo("\uFFFD\uFFFD");
    }

    @Test
    void preTokenizersSplitDigitsTheirOwnWay() {
        assertThat(PreTokenizer.QWEN2.split("12345")).containsExactly("1", "2", "3", "4", "5");
        assertThat(PreTokenizer.LLAMA_BPE.split("12345")).containsExactly("123", "45");
        assertThat(PreTokenizer.QWEN2.split("I'm here, ok?")).containsExactly("I", "'m", " here", ",", " ok", "?");
        assertThat(PreTokenizer.QWEN2.split("a  b\n\nc")).containsExactly("a", " ", " b", "\n\n", "c");
    }

    @Test
    void trainingIsDeterministic() {
        String corpus = "la memoria della squadra, la memoria del modello, la squadra";
        assertThat(BpeTrainer.train(corpus, PreTokenizer.QWEN2, 20))
                .isEqualTo(BpeTrainer.train(corpus, PreTokenizer.QWEN2, 20));
    }
}
