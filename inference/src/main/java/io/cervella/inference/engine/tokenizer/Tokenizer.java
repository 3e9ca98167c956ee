package io.cervella.inference.engine.tokenizer;

import io.cervella.inference.engine.gguf.GgufException;
import io.cervella.inference.engine.gguf.GgufFile;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE as GGUF files of Qwen2/Qwen3 and Llama 3 describe it: the vocabulary
 * ({@code tokenizer.ggml.tokens} and their types), the merges in rank order, the pre-tokenizer by
 * name, and the special tokens (control and user-defined), which are matched as whole strings when
 * the caller asks for it (chat templates) and never otherwise (user text cannot forge them).
 */
public final class Tokenizer {
    public static final int TYPE_NORMAL = 1;
    public static final int TYPE_CONTROL = 3;
    public static final int TYPE_USER_DEFINED = 4;
    public static final int TYPE_BYTE = 6;
    /** Longest pre-token encoded in one piece. */
    static final int MAX_PIECE = 256;

    private final String[] tokens;
    private final int[] types;
    private final Map<String, Integer> ids;
    private final Map<String, Integer> mergeRanks;
    private final PreTokenizer pre;
    private final List<String> specials;
    private final int bosId;
    private final int eosId;
    private final boolean addBos;
    private final Map<String, int[]> wordCache = new ConcurrentHashMap<>();

    public Tokenizer(String[] tokens, int[] types, String[] merges, PreTokenizer pre, int bosId, int eosId, boolean addBos) {
        if (types.length != tokens.length) {
            throw new IllegalArgumentException("token types (" + types.length + ") and tokens (" + tokens.length
                    + ") differ in number");
        }
        this.tokens = tokens;
        this.types = types;
        this.pre = pre;
        this.bosId = bosId;
        this.eosId = eosId;
        this.addBos = addBos;
        this.ids = new HashMap<>(tokens.length * 2);
        for (int i = 0; i < tokens.length; i++) {
            ids.putIfAbsent(tokens[i], i);
        }
        this.mergeRanks = new HashMap<>(merges.length * 2);
        for (int r = 0; r < merges.length; r++) {
            mergeRanks.putIfAbsent(merges[r], r);
        }
        List<String> sp = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            if ((types[i] == TYPE_CONTROL || types[i] == TYPE_USER_DEFINED) && !tokens[i].isEmpty()) {
                sp.add(tokens[i]);
            }
        }
        sp.sort(Comparator.comparingInt(String::length).reversed()); // longest match first
        this.specials = List.copyOf(sp);
    }

    public static Tokenizer fromGguf(GgufFile g) {
        String model = g.string("tokenizer.ggml.model");
        if (!model.equals("gpt2")) {
            throw new GgufException(g.path() + ": tokenizer model '" + model + "' is not supported (byte-level BPE, 'gpt2', is)");
        }
        String preName = g.metadata().containsKey("tokenizer.ggml.pre") ? g.string("tokenizer.ggml.pre") : "llama-bpe";
        PreTokenizer pre = PreTokenizer.byGgufName(preName);
        if (pre == null) {
            throw new GgufException(g.path() + ": pre-tokenizer '" + preName + "' is not supported (qwen2 and llama-bpe are)");
        }
        String[] tokens = g.require("tokenizer.ggml.tokens", String[].class);
        int[] types = g.metadata().containsKey("tokenizer.ggml.token_type")
                ? g.require("tokenizer.ggml.token_type", int[].class) : new int[tokens.length];
        if (!g.metadata().containsKey("tokenizer.ggml.token_type")) {
            java.util.Arrays.fill(types, TYPE_NORMAL);
        }
        String[] merges = g.require("tokenizer.ggml.merges", String[].class);
        int bos = (int) g.integer("tokenizer.ggml.bos_token_id", -1);
        int eos = (int) g.integer("tokenizer.ggml.eos_token_id", -1);
        Object add = g.metadata().get("tokenizer.ggml.add_bos_token");
        return new Tokenizer(tokens, types, merges, pre, bos, eos, add instanceof Boolean b ? b : false);
    }

    public int vocabularySize() { return tokens.length; }
    public int bosId() { return bosId; }
    public int eosId() { return eosId; }
    public boolean addsBos() { return addBos; }
    public String token(int id) { return tokens[id]; }
    public int type(int id) { return types[id]; }

    /** The id of a token given by its exact vocabulary string, or -1. */
    public int id(String token) {
        return ids.getOrDefault(token, -1);
    }

    /**
     * Encodes text. With {@code parseSpecial}, special-token strings in the text become their single
     * tokens (for rendered chat templates); without, they are encoded as ordinary text.
     */
    public int[] encode(String text, boolean parseSpecial) {
        IntList out = new IntList();
        if (!parseSpecial || specials.isEmpty()) {
            encodeOrdinary(text, out);
            return out.toArray();
        }
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            String hit = null;
            for (String s : specials) {
                if (text.startsWith(s, i)) {
                    hit = s;
                    break;
                }
            }
            if (hit == null) {
                i++;
                continue;
            }
            encodeOrdinary(text.substring(start, i), out);
            out.add(ids.get(hit));
            i += hit.length();
            start = i;
        }
        encodeOrdinary(text.substring(start), out);
        return out.toArray();
    }

    private void encodeOrdinary(String text, IntList out) {
        if (text.isEmpty()) {
            return;
        }
        for (String piece : pre.split(text)) {
            // BPE is quadratic in a piece's length: a run of thousands of characters without a break is
            // encoded in slices (the tokens differ a little from an unsliced encoding; time stays bounded).
            for (int from = 0; from < piece.length(); from += MAX_PIECE) {
                int to = Math.min(piece.length(), from + MAX_PIECE);
                if (to < piece.length() && Character.isHighSurrogate(piece.charAt(to - 1))) {
                    to--;
                }
                String slice = piece.substring(from, to);
                int[] word = wordCache.get(slice);
                if (word == null) {
                    word = bpe(ByteLevel.encode(slice.getBytes(StandardCharsets.UTF_8)));
                    if (slice.length() <= 64 && wordCache.size() < 100_000) {
                        wordCache.put(slice, word);
                    }
                }
                out.addAll(word);
                from = to - MAX_PIECE; // the loop adds MAX_PIECE back
            }
        }
    }

    /** Merges the symbols of one pre-token by rank until no known pair is left. */
    private int[] bpe(String word) {
        List<String> symbols = new ArrayList<>(word.length());
        for (int i = 0; i < word.length(); i++) {
            symbols.add(String.valueOf(word.charAt(i)));
        }
        while (symbols.size() > 1) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer rank = mergeRanks.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            symbols.set(best, symbols.get(best) + symbols.get(best + 1));
            symbols.remove(best + 1);
        }
        IntList out = new IntList();
        for (String s : symbols) {
            Integer id = ids.get(s);
            if (id != null) {
                out.add(id);
                continue;
            }
            for (int i = 0; i < s.length(); i++) { // a symbol the vocabulary lacks: its bytes one by one
                Integer byteId = ids.get(String.valueOf(s.charAt(i)));
                if (byteId == null) {
                    throw new IllegalStateException("the vocabulary has no token for byte 0x"
                            + Integer.toHexString(ByteLevel.byteOf(s.charAt(i))));
                }
                out.add(byteId);
            }
        }
        return out.toArray();
    }

    /** The bytes a token stands for: special tokens as their text, the others through the byte alphabet. */
    public byte[] bytes(int id) {
        String t = tokens[id];
        if (types[id] == TYPE_CONTROL || types[id] == TYPE_USER_DEFINED) {
            return t.getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(t.length());
        for (int i = 0; i < t.length(); i++) {
            int b = ByteLevel.byteOf(t.charAt(i));
            if (b >= 0) {
                out.write(b);
            } else {
                out.writeBytes(String.valueOf(t.charAt(i)).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    /** Decodes a whole sequence; invalid UTF-8 (possible from a model) becomes U+FFFD. */
    public String decode(int[] tokenIds, boolean includeControl) {
        StreamDecoder d = new StreamDecoder(this, includeControl);
        StringBuilder sb = new StringBuilder();
        for (int id : tokenIds) {
            sb.append(d.next(id));
        }
        return sb.append(d.finish()).toString();
    }

    /** A growable int array. */
    public static final class IntList {
        private int[] a = new int[16];
        private int n;

        public void add(int v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        public void addAll(int[] vs) {
            for (int v : vs) {
                add(v);
            }
        }

        public int[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
