package io.cervella.memory.embedding;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Any {@code tokenizer.json} (Unigram/SentencePiece as in multilingual-e5 and XLM-R, BPE, WordPiece),
 * run by Hugging Face's own tokenizers library (Rust, through DJL's bindings, natives in the jar).
 * Used for the files {@link WordPieceTokenizer} does not read.
 */
public final class NativeHfTokenizer implements TextTokenizer {
    static {
        // DJL would otherwise probe the EC2 metadata address and send telemetry, and may download native
        // libraries: a self-hosted server does neither. The natives come from the jar (extracted to
        // ~/.djl.ai, or DJL_CACHE_DIR).
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ai.djl.offline", "true");
    }

    private final HuggingFaceTokenizer tokenizer;

    private NativeHfTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** @param maxLength the model's input length; longer texts are cut (the special tokens kept) */
    public static NativeHfTokenizer read(Path tokenizerJson, int maxLength) throws IOException {
        try {
            return new NativeHfTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                    "addSpecialTokens", "true", "truncation", "true", "padding", "false",
                    "maxLength", Integer.toString(maxLength))));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(tokenizerJson + ": not a tokenizer.json that Hugging Face tokenizers reads: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public int[] encode(String text) {
        Encoding encoding = tokenizer.encode(text);
        long[] ids = encoding.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
