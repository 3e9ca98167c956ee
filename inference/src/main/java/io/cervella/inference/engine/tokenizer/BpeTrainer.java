package io.cervella.inference.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Learns byte-level BPE merges from a text: the classic algorithm (count adjacent symbol pairs over the
 * pre-tokenized words, merge the most frequent, repeat). Deterministic: ties go to the pair that sorts
 * first. Used to give synthetic models a real vocabulary.
 */
public final class BpeTrainer {
    /** The result: 256 byte tokens then one token per merge, and the merges in rank order. */
    public record Vocabulary(List<String> tokens, List<String> merges) {}

    private BpeTrainer() {}

    public static Vocabulary train(String corpus, PreTokenizer pre, int mergeCount) {
        Map<String, Integer> wordCounts = new HashMap<>();
        for (String piece : pre.split(corpus)) {
            wordCounts.merge(ByteLevel.encode(piece.getBytes(StandardCharsets.UTF_8)), 1, Integer::sum);
        }
        List<List<String>> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        wordCounts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            List<String> symbols = new ArrayList<>();
            for (int i = 0; i < e.getKey().length(); i++) {
                symbols.add(String.valueOf(e.getKey().charAt(i)));
            }
            words.add(symbols);
            counts.add(e.getValue());
        });

        List<String> tokens = new ArrayList<>(256 + mergeCount);
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevel.charOf(b)));
        }
        List<String> merges = new ArrayList<>(mergeCount);
        for (int m = 0; m < mergeCount; m++) {
            Map<String, Integer> pairs = new LinkedHashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<String> s = words.get(w);
                for (int i = 0; i + 1 < s.size(); i++) {
                    pairs.merge(s.get(i) + " " + s.get(i + 1), counts.get(w), Integer::sum);
                }
            }
            String best = null;
            int bestCount = 1; // a pair seen once teaches nothing
            for (Map.Entry<String, Integer> e : pairs.entrySet()) {
                if (e.getValue() > bestCount || (e.getValue() == bestCount && best != null && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (best == null) {
                break;
            }
            int space = best.indexOf(' ');
            String left = best.substring(0, space);
            String right = best.substring(space + 1);
            merges.add(best);
            tokens.add(left + right);
            for (List<String> s : words) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(left) && s.get(i + 1).equals(right)) {
                        s.set(i, left + right);
                        s.remove(i + 1);
                    }
                }
            }
        }
        return new Vocabulary(tokens, merges);
    }
}
