package io.cervella.memory.chunk;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts a Markdown (or plain text) document into chunks for embedding. The document is first cut at its
 * headings (ATX, {@code #} to {@code ######}, never inside fenced code), each section remembering the
 * headings above it; a section is cut into blocks at blank lines (a fenced code block stays one block);
 * consecutive blocks are packed into chunks of at most {@code maxChars} (plus the overlap below); a block longer than that is
 * cut at a sentence end or, failing that, at a space. Each chunk after the first of a section starts
 * up to {@code overlapChars} earlier, at a word boundary, so that a sentence cut in two is whole in one
 * of them. A chunk's text is always the exact slice of the document at its offsets.
 */
public final class MarkdownChunker {
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})[ \\t]+(.*?)[ \\t]*(?:#+[ \\t]*)?$");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```+|~~~+)");

    private final int maxChars;
    private final int overlapChars;

    public MarkdownChunker(int maxChars, int overlapChars) {
        if (maxChars < 16 || overlapChars < 0 || overlapChars >= maxChars / 2) {
            throw new IllegalArgumentException("chunks need at least 16 characters and an overlap below half of them");
        }
        this.maxChars = maxChars;
        this.overlapChars = overlapChars;
    }

    private record Line(int start, int end, boolean blank, boolean inFence) {}

    private record Section(List<String> headings, int start, int end) {}

    public List<Chunk> chunk(String document) {
        List<Line> lines = lines(document);
        List<Chunk> chunks = new ArrayList<>();
        for (Section s : sections(document, lines)) {
            List<int[]> blocks = blocks(document, lines, s);
            List<int[]> pieces = new ArrayList<>();
            for (int[] b : blocks) {
                cutLong(document, b[0], b[1], pieces);
            }
            int first = -1;
            int last = -1;
            boolean firstOfSection = true;
            for (int[] p : pieces) {
                if (first >= 0 && p[1] - first > maxChars) {
                    chunks.add(make(document, chunks.size(), s, first, last, firstOfSection));
                    firstOfSection = false;
                    first = -1;
                }
                if (first < 0) {
                    first = p[0];
                }
                last = p[1];
            }
            if (first >= 0) {
                chunks.add(make(document, chunks.size(), s, first, last, firstOfSection));
            }
        }
        return chunks;
    }

    private Chunk make(String doc, int index, Section s, int start, int end, boolean firstOfSection) {
        if (!firstOfSection && overlapChars > 0) {
            int from = Math.max(s.start(), start - overlapChars);
            while (from < start && !Character.isWhitespace(doc.charAt(from))) {
                from++; // begin at a word boundary
            }
            while (from < start && Character.isWhitespace(doc.charAt(from))) {
                from++;
            }
            start = from;
        }
        return new Chunk(index, s.headings(), start, end, doc.substring(start, end));
    }

    private static List<Line> lines(String doc) {
        List<Line> out = new ArrayList<>();
        boolean inFence = false;
        String fence = null;
        int at = 0;
        while (at < doc.length()) {
            int nl = doc.indexOf('\n', at);
            int end = nl < 0 ? doc.length() : nl;
            int contentEnd = end > at && doc.charAt(end - 1) == '\r' ? end - 1 : end;
            String text = doc.substring(at, contentEnd);
            Matcher f = FENCE.matcher(text);
            boolean fenceLine = f.find();
            if (fenceLine && !inFence) {
                inFence = true;
                fence = f.group(1).substring(0, 3);
                out.add(new Line(at, contentEnd, false, true));
            } else if (fenceLine && text.strip().startsWith(fence)) {
                out.add(new Line(at, contentEnd, false, true));
                inFence = false;
            } else {
                out.add(new Line(at, contentEnd, text.isBlank(), inFence));
            }
            at = nl < 0 ? doc.length() : nl + 1;
        }
        return out;
    }

    private static List<Section> sections(String doc, List<Line> lines) {
        List<Section> out = new ArrayList<>();
        List<String> path = new ArrayList<>();
        List<Integer> levels = new ArrayList<>();
        int start = 0;
        List<String> current = List.of();
        for (Line l : lines) {
            if (l.inFence()) {
                continue;
            }
            Matcher m = HEADING.matcher(doc.substring(l.start(), l.end()));
            if (m.matches()) {
                if (l.start() > start) {
                    out.add(new Section(current, start, l.start()));
                }
                int level = m.group(1).length();
                while (!levels.isEmpty() && levels.getLast() >= level) {
                    levels.removeLast();
                    path.removeLast();
                }
                levels.add(level);
                path.add(m.group(2));
                current = List.copyOf(path);
                start = l.start();
            }
        }
        if (doc.length() > start) {
            out.add(new Section(current, start, doc.length()));
        }
        return out;
    }

    /** Runs of non-blank lines inside the section (blank lines inside a fence do not split). */
    private static List<int[]> blocks(String doc, List<Line> lines, Section s) {
        List<int[]> out = new ArrayList<>();
        int blockStart = -1;
        int blockEnd = -1;
        for (Line l : lines) {
            if (l.start() < s.start() || l.start() >= s.end()) {
                continue;
            }
            if (l.blank() && !l.inFence()) {
                if (blockStart >= 0) {
                    out.add(new int[] {blockStart, blockEnd});
                    blockStart = -1;
                }
            } else {
                if (blockStart < 0) {
                    blockStart = l.start();
                }
                blockEnd = l.end();
            }
        }
        if (blockStart >= 0) {
            out.add(new int[] {blockStart, blockEnd});
        }
        return out;
    }

    /** A block as pieces of at most maxChars, cut after a sentence end if there is one, else at a space. */
    private void cutLong(String doc, int start, int end, List<int[]> out) {
        while (end - start > maxChars) {
            int limit = start + maxChars;
            int cut = -1;
            for (int i = limit - 1; i > start + maxChars / 2; i--) {
                char c = doc.charAt(i - 1);
                if ((c == '.' || c == '!' || c == '?' || c == '\n') && Character.isWhitespace(doc.charAt(i))) {
                    cut = i;
                    break;
                }
            }
            if (cut < 0) {
                for (int i = limit; i > start + maxChars / 2; i--) {
                    if (Character.isWhitespace(doc.charAt(i))) {
                        cut = i;
                        break;
                    }
                }
            }
            if (cut < 0) {
                cut = limit; // one word longer than a chunk: cut it, never inside a surrogate pair
                if (Character.isLowSurrogate(doc.charAt(cut))) {
                    cut--;
                }
            }
            out.add(new int[] {start, cut});
            start = cut;
            while (start < end && Character.isWhitespace(doc.charAt(start))) {
                start++;
            }
        }
        if (end > start) {
            out.add(new int[] {start, end});
        }
    }
}
