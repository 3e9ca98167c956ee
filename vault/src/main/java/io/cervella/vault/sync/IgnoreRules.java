package io.cervella.vault.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a {@code .cervellaignore} file, in gitignore's syntax: one pattern a line, {@code #}
 * comments, {@code !} to take a path back in, a trailing {@code /} for folders only, a {@code /} at the
 * start or in the middle to anchor the pattern at the synced folder (else it matches at any depth),
 * {@code *}, {@code ?}, {@code [...]} and {@code **}. The last rule that matches decides; a path inside
 * an ignored folder is ignored whatever follows (as git does: the folder is never looked into).
 */
public final class IgnoreRules {
    private record Rule(Pattern pattern, boolean negated, boolean foldersOnly) {}

    private final List<Rule> rules;

    private IgnoreRules(List<Rule> rules) {
        this.rules = rules;
    }

    public static final IgnoreRules NONE = new IgnoreRules(List.of());

    public static IgnoreRules parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : text.split("\r?\n")) {
            String line = stripTrailingSpaces(raw);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean negated = line.startsWith("!");
            if (negated) {
                line = line.substring(1);
            } else if (line.startsWith("\\!") || line.startsWith("\\#")) {
                line = line.substring(1);
            }
            boolean foldersOnly = line.endsWith("/");
            if (foldersOnly) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                continue;
            }
            boolean anchored = line.contains("/");
            if (line.startsWith("/")) {
                line = line.substring(1);
            }
            String regex = (anchored ? "" : "(?:.*/)?") + globToRegex(line);
            rules.add(new Rule(Pattern.compile(regex), negated, foldersOnly));
        }
        return new IgnoreRules(List.copyOf(rules));
    }

    /** Whether a path (relative, '/'-separated) is ignored; {@code folder} says whether it names a folder. */
    public boolean ignored(String path, boolean folder) {
        if (rules.isEmpty()) {
            return false;
        }
        String[] parts = path.split("/");
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                prefix.append('/');
            }
            prefix.append(parts[i]);
            boolean isFolder = i < parts.length - 1 || folder;
            if (decide(prefix.toString(), isFolder)) {
                return true;
            }
        }
        return false;
    }

    private boolean decide(String path, boolean folder) {
        boolean ignored = false;
        for (Rule r : rules) {
            if (r.foldersOnly() && !folder) {
                continue;
            }
            if (r.pattern().matcher(path).matches()) {
                ignored = !r.negated();
            }
        }
        return ignored;
    }

    private static String stripTrailingSpaces(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ' && !(end > 1 && s.charAt(end - 2) == '\\')) {
            end--;
        }
        return s.substring(0, end);
    }

    private static String globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            if (glob.startsWith("**/", i) && (i == 0 || glob.charAt(i - 1) == '/')) {
                re.append("(?:.*/)?"); // any number of folders, none included
                i += 3;
            } else if (glob.startsWith("**", i) && i + 2 == glob.length() && (i == 0 || glob.charAt(i - 1) == '/')) {
                re.append(".*"); // everything inside
                i += 2;
            } else if (c == '*') {
                re.append("[^/]*");
                i++;
            } else if (c == '?') {
                re.append("[^/]");
                i++;
            } else if (c == '[') {
                int close = glob.indexOf(']', i + 2);
                if (close < 0) {
                    re.append("\\[");
                    i++;
                } else {
                    String set = glob.substring(i + 1, close);
                    if (set.startsWith("!")) {
                        set = "^" + set.substring(1);
                    }
                    re.append('[').append(set.replace("\\", "\\\\")).append(']');
                    i = close + 1;
                }
            } else if (c == '\\' && i + 1 < glob.length()) {
                re.append(Pattern.quote(String.valueOf(glob.charAt(i + 1))));
                i += 2;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
                i++;
            }
        }
        return re.toString();
    }
}
