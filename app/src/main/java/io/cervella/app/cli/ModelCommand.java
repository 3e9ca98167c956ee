package io.cervella.app.cli;

import io.cervella.inference.engine.gguf.GgmlType;
import io.cervella.inference.engine.synth.ModelSynth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cervella model synth}: a small valid GGUF model with random weights. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Model files.",
        subcommands = {ModelCommand.Synth.class})
public final class ModelCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: synth");
    }

    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = "Write a small GGUF model with random weights, a real BPE vocabulary and a chat template.")
    static final class Synth implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--arch", required = true, description = "qwen3, qwen2 or llama")
        String arch;

        @Option(names = "--out", required = true, description = "the GGUF file to write")
        Path out;

        @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--size", defaultValue = "tiny", description = "tiny, small, bench (about 0.4B parameters) or qwen3_4b (the shape of Qwen3-4B: about 2.3 GB at q4_k) (default ${DEFAULT-VALUE})")
        String size;

        @Option(names = "--type", defaultValue = "q8_0",
                description = "weight type: f32, f16, bf16, q8_0, q4_0, q4_k, q6_k (default ${DEFAULT-VALUE})")
        String type;

        @Override
        public Integer call() throws Exception {
            ModelSynth.Arch a = parse(ModelSynth.Arch.class, arch, "--arch");
            ModelSynth.Size s = parse(ModelSynth.Size.class, size, "--size");
            GgmlType t = parse(GgmlType.class, type, "--type");
            if (!t.supported()) {
                throw new IllegalArgumentException("--type " + type + " is not supported (f32, f16, bf16, q8_0, q4_0, q4_k, q6_k)");
            }
            ModelSynth.write(new ModelSynth.Spec(a, s, t, seed), out);
            spec.commandLine().getOut().printf("wrote %s (%s, %s, %s, %d bytes)%n", out, a.name().toLowerCase(Locale.ROOT),
                    s.name().toLowerCase(Locale.ROOT), t, Files.size(out));
            spec.commandLine().getOut().flush();
            return 0;
        }

        private static <E extends Enum<E>> E parse(Class<E> type, String value, String option) {
            try {
                return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": unknown value '" + value + "'");
            }
        }
    }
}
