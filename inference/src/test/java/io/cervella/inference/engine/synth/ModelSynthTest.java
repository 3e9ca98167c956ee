package io.cervella.inference.engine.synth;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.gguf.GgufFile;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelSynthTest {
    @TempDir Path dir;

    @ParameterizedTest
    @CsvSource({"QWEN3,Q8_0", "QWEN3,Q4_K", "QWEN2,F32", "QWEN2,Q4_0", "LLAMA,Q6_K", "LLAMA,F16", "QWEN3,BF16"})
    void synthesisedModelsHaveTheTensorsAndMetadataOfTheirArchitecture(ModelSynth.Arch arch, GgmlType type) throws Exception {
        Path file = dir.resolve(arch + "-" + type + ".gguf");
        ModelSynth.write(new ModelSynth.Spec(arch, ModelSynth.Size.TINY, type, 42), file);
        try (GgufFile g = GgufFile.open(file)) {
            String a = arch.name().toLowerCase();
            assertThat(g.architecture()).isEqualTo(a);
            assertThat(g.integer(a + ".block_count")).isEqualTo(2);
            assertThat(g.integer(a + ".embedding_length")).isEqualTo(256);
            assertThat(g.tensor("blk.1.ffn_down.weight").type()).isEqualTo(type);
            assertThat(g.tensor("blk.1.ffn_down.weight").dims()).containsExactly(512, 256);
            assertThat(g.tensor("blk.0.attn_norm.weight").type()).isEqualTo(GgmlType.F32);
            assertThat(g.tensors().containsKey("blk.0.attn_q_norm.weight")).isEqualTo(arch == ModelSynth.Arch.QWEN3);
            assertThat(g.tensors().containsKey("blk.0.attn_q.bias")).isEqualTo(arch == ModelSynth.Arch.QWEN2);
            assertThat(g.tensors().containsKey("output.weight")).isEqualTo(arch != ModelSynth.Arch.QWEN3);
            long vocab = g.integer(a + ".vocab_size");
            assertThat(g.tensor("token_embd.weight").rows()).isEqualTo(vocab);
            assertThat(g.string("tokenizer.chat_template")).contains("<|im_start|>").contains("enable_thinking");
        }
    }

    @ParameterizedTest
    @CsvSource({"QWEN3,Q8_0"})
    void theSameSeedGivesTheSameFile(ModelSynth.Arch arch, GgmlType type) throws Exception {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        ModelSynth.write(new ModelSynth.Spec(arch, ModelSynth.Size.TINY, type, 9), a);
        ModelSynth.write(new ModelSynth.Spec(arch, ModelSynth.Size.TINY, type, 9), b);
        assertThat(java.nio.file.Files.mismatch(a, b)).isEqualTo(-1);
    }
}
