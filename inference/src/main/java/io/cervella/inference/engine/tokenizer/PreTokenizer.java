package io.cervella.inference.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into the pieces BPE works on, by the regular expression the model was trained with,
 * named by the GGUF key {@code tokenizer.ggml.pre}. Whitespace and letter classes are Unicode-aware.
 */
public enum PreTokenizer {
    /** Qwen2 and Qwen3: digits one by one. */
    QWEN2("qwen2", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** Llama 3: digits in groups of up to three. */
    LLAMA_BPE("llama-bpe", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    public final String ggufName;
    private final Pattern pattern;

    PreTokenizer(String ggufName, String regex) {
        this.ggufName = ggufName;
        this.pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    public static PreTokenizer byGgufName(String name) {
        for (PreTokenizer p : values()) {
            if (p.ggufName.equals(name)) {
                return p;
            }
        }
        return null;
    }

    public List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                out.add(text.substring(last, m.start())); // cannot happen with these patterns; kept lossless
            }
            out.add(m.group());
            last = m.end();
        }
        if (last < text.length()) {
            out.add(text.substring(last));
        }
        return out;
    }
}
