package io.cervella.vault.tree;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

/**
 * A file's path in the vault (docs/formats/vault.md, Manifests): relative, '/'-separated, in Unicode
 * NFC, without empty, "." or ".." segments, NUL or other control characters, at most 4096 bytes.
 * {@link #collisionKey()} is what two paths must not share: macOS and Windows would see one file.
 */
public record VaultPath(String value) implements Comparable<VaultPath> {
    public static final int MAX_BYTES = 4096;

    public VaultPath {
        value = check(value);
    }

    /** Checks a path as a device sent it and brings it to NFC; the message says what is wrong. */
    public static VaultPath of(String raw) {
        return new VaultPath(raw);
    }

    private static String check(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw new IllegalArgumentException("a path is required");
        }
        String nfc = Normalizer.normalize(raw, Normalizer.Form.NFC);
        if (nfc.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("path longer than " + MAX_BYTES + " bytes");
        }
        for (int i = 0; i < nfc.length(); i++) {
            char c = nfc.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("path '" + printable(nfc) + "' holds a control character");
            }
            if (c == '\\') {
                throw new IllegalArgumentException("path '" + nfc + "' holds a backslash; paths use '/'");
            }
        }
        if (nfc.startsWith("/")) {
            throw new IllegalArgumentException("path '" + nfc + "' is absolute; paths are relative to the vault");
        }
        for (String segment : nfc.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("path '" + nfc + "' has an empty, '.' or '..' segment");
            }
        }
        return nfc;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    /** Case-folded compatibility form: equal for "Note.md", "note.md" and "ﬁle"/"file". */
    public String collisionKey() {
        return Normalizer.normalize(value, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT)
                .toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    }

    @Override
    public int compareTo(VaultPath o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
