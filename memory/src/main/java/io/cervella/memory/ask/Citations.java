package io.cervella.memory.ask;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sources an answer cites: markers {@code [n]}, {@code [n, m]} or {@code [n][m]} whose numbers
 * are sources of the prompt, in the order of their first citation. A reasoning model's thinking
 * ({@code <think>...</think>}) is not the answer: only the text after it counts, and an answer cut off
 * while still thinking cites nothing.
 */
public final class Citations {
    private static final Pattern MARKER = Pattern.compile("\\[(\\d{1,4}(?:\\s*,\\s*\\d{1,4})*)]");

    private Citations() {}

    public static List<Source> of(String answer, List<Source> sources) {
        int thinkEnd = answer.lastIndexOf("</think>");
        String text = thinkEnd >= 0 ? answer.substring(thinkEnd + "</think>".length())
                : answer.contains("<think>") ? "" : answer;
        Set<Integer> cited = new LinkedHashSet<>();
        Matcher m = MARKER.matcher(text);
        while (m.find()) {
            for (String n : m.group(1).split(",")) {
                cited.add(Integer.parseInt(n.strip()));
            }
        }
        List<Source> out = new ArrayList<>();
        for (int n : cited) {
            if (n >= 1 && n <= sources.size()) {
                out.add(sources.get(n - 1));
            }
        }
        return out;
    }
}
