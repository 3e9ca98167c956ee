package io.cervella.memory.embedding;

import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tokenizer of BERT-family embedding models, read from a Hugging Face {@code tokenizer.json} with
 * a WordPiece model: text cleaned (control characters dropped, whitespace unified, CJK ideographs set
 * apart), lower-cased and stripped of accents when the file says so, split at whitespace and at every
 * punctuation character, each word cut greedily into the longest pieces of the vocabulary
 * ({@code ##} marks a piece inside a word), and framed by [CLS] ... [SEP], cut to the file's maximum
 * length.
 */
public final class WordPieceTokenizer implements TextTokenizer {
    private final Map<String, Integer> vocabulary;
    private final boolean lowercase;
    private final boolean stripAccents;
    private final String prefix;
    private final int maxCharsPerWord;
    private final int unknown;
    private final int cls;
    private final int sep;
    private final int maxLength;

    private WordPieceTokenizer(Map<String, Integer> vocabulary, boolean lowercase, boolean stripAccents, String prefix,
                               int maxCharsPerWord, String unknown, int maxLength) {
        this.vocabulary = vocabulary;
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
        this.prefix = prefix;
        this.maxCharsPerWord = maxCharsPerWord;
        this.unknown = id(unknown);
        this.cls = id("[CLS]");
        this.sep = id("[SEP]");
        this.maxLength = maxLength;
    }

    /** Reads a tokenizer.json; anything but a WordPiece model with a BERT normalizer is refused by name. */
    public static WordPieceTokenizer read(InputStream json) throws IOException {
        JsonNode root = JsonMapper.shared().readTree(json);
        JsonNode model = root.path("model");
        if (!model.path("type").asString("").equals("WordPiece")) {
            throw new IllegalArgumentException("tokenizer.json: model type is '" + model.path("type").asString("?")
                    + "'; only WordPiece (BERT-family embedding models) is supported");
        }
        Map<String, Integer> vocabulary = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : model.path("vocab").properties()) {
            vocabulary.put(e.getKey(), e.getValue().asInt());
        }
        JsonNode normalizer = root.path("normalizer");
        boolean lowercase = normalizer.path("lowercase").asBoolean(true);
        JsonNode strip = normalizer.path("strip_accents");
        boolean stripAccents = strip.isNull() || strip.isMissingNode() ? lowercase : strip.asBoolean();
        int maxLength = root.path("truncation").path("max_length").asInt(512);
        return new WordPieceTokenizer(vocabulary, lowercase, stripAccents,
                model.path("continuing_subword_prefix").asString("##"), model.path("max_input_chars_per_word").asInt(100),
                model.path("unk_token").asString("[UNK]"), maxLength);
    }

    public int maxLength() { return maxLength; }

    /** The same tokenizer cutting at another length (the model's input length, when the file says less or more). */
    public WordPieceTokenizer withMaxLength(int length) {
        return new WordPieceTokenizer(this, length);
    }

    private WordPieceTokenizer(WordPieceTokenizer t, int maxLength) {
        this.vocabulary = t.vocabulary;
        this.lowercase = t.lowercase;
        this.stripAccents = t.stripAccents;
        this.prefix = t.prefix;
        this.maxCharsPerWord = t.maxCharsPerWord;
        this.unknown = t.unknown;
        this.cls = t.cls;
        this.sep = t.sep;
        this.maxLength = maxLength;
    }

    /** Token ids of one text: [CLS], the pieces (cut so that all fit in the maximum length), [SEP]. */
    public int[] encode(String text) {
        List<Integer> ids = new ArrayList<>();
        ids.add(cls);
        for (String word : words(normalize(text))) {
            if (ids.size() >= maxLength - 1) {
                break;
            }
            pieces(word, ids);
        }
        while (ids.size() > maxLength - 1) {
            ids.removeLast();
        }
        ids.add(sep);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private int id(String token) {
        Integer id = vocabulary.get(token);
        if (id == null) {
            throw new IllegalArgumentException("tokenizer.json: the vocabulary has no " + token);
        }
        return id;
    }

    private String normalize(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            int type = Character.getType(c);
            if (c == 0 || c == 0xfffd || (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r')
                    || type == Character.FORMAT || type == Character.UNASSIGNED || type == Character.PRIVATE_USE
                    || type == Character.SURROGATE) {
                return; // BERT drops every "other" character: controls, format marks (BOM, soft hyphen), unassigned
            }
            if (Character.isWhitespace(c) || Character.getType(c) == Character.SPACE_SEPARATOR) {
                sb.append(' ');
            } else if (isCjk(c)) {
                sb.append(' ').appendCodePoint(c).append(' ');
            } else {
                sb.appendCodePoint(c);
            }
        });
        String s = sb.toString();
        if (lowercase) {
            s = s.toLowerCase(java.util.Locale.ROOT);
        }
        if (stripAccents) {
            s = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{Mn}+", "");
        }
        return s;
    }

    /** Words: runs of non-space characters, every punctuation character a word of its own. */
    private static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == ' ') {
                flush(word, out);
            } else if (isPunctuation(c)) {
                flush(word, out);
                out.add(new String(Character.toChars(c)));
            } else {
                word.appendCodePoint(c);
            }
        }
        flush(word, out);
        return out;
    }

    private static void flush(StringBuilder word, List<String> out) {
        if (!word.isEmpty()) {
            out.add(word.toString());
            word.setLength(0);
        }
    }

    /** Greedy longest-match-first; a word with a part outside the vocabulary is one [UNK]. */
    private void pieces(String word, List<Integer> ids) {
        if (word.codePointCount(0, word.length()) > maxCharsPerWord) {
            ids.add(unknown);
            return;
        }
        List<Integer> found = new ArrayList<>();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Integer match = null;
            while (end > start) {
                String piece = (start > 0 ? prefix : "") + word.substring(start, end);
                match = vocabulary.get(piece);
                if (match != null) {
                    break;
                }
                end -= Character.isLowSurrogate(word.charAt(end - 1)) && end - 2 >= start ? 2 : 1; // whole code points
            }
            if (match == null) {
                ids.add(unknown);
                return;
            }
            found.add(match);
            start = end;
        }
        ids.addAll(found);
    }

    /** BERT's punctuation: the ASCII symbols and every Unicode punctuation category. */
    private static boolean isPunctuation(int c) {
        if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }

    private static boolean isCjk(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
