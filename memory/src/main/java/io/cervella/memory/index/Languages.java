package io.cervella.memory.index;

import java.util.Locale;
import java.util.Set;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.en.EnglishAnalyzer;

/** The two languages of the team's notes, told apart by their commonest words. */
final class Languages {
    enum Language { ITALIAN, ENGLISH, UNSURE }

    /**
     * Lucene's English stop words and the other function words of questions ("how do we", "what is
     * out of order"), which would otherwise match as content in a keyword search.
     */
    static final CharArraySet ENGLISH_STOP_WORDS;
    static {
        CharArraySet words = new CharArraySet(EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, true);
        words.addAll(Set.of("i", "me", "my", "we", "our", "us", "you", "your", "he", "she", "his", "her", "its", "what",
                "which", "who", "whom", "when", "where", "why", "how", "do", "does", "did", "done", "has", "have", "had",
                "been", "being", "can", "could", "would", "should", "may", "might", "must", "shall", "out", "up", "down",
                "from", "about", "all", "any", "some", "so", "than", "too", "very", "just", "also", "each", "other"));
        ENGLISH_STOP_WORDS = CharArraySet.unmodifiableSet(words);
    }

    /** Not "i" nor "e": single letters that English text has too ("i.e.", "e.g."). */
    private static final Set<String> ITALIAN = Set.of("il", "lo", "la", "gli", "le", "di", "del", "della", "dei",
            "delle", "che", "è", "per", "con", "non", "un", "una", "si", "sono", "al", "alla", "nel", "nella", "da",
            "dal", "ogni", "come", "anche", "più");
    private static final Set<String> ENGLISH = Set.of("the", "and", "is", "are", "of", "to", "that", "for", "with", "on",
            "as", "we", "our", "this", "be", "by", "at", "from", "was", "it", "an", "when", "every", "after");

    private Languages() {}

    /** Italian or English when one language's common words clearly outnumber the other's. */
    static Language guess(String text) {
        int italian = 0;
        int english = 0;
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}]+")) {
            if (ITALIAN.contains(word)) {
                italian++;
            }
            if (ENGLISH.contains(word)) {
                english++;
            }
        }
        if (italian > english) {
            return Language.ITALIAN;
        }
        return english > italian ? Language.ENGLISH : Language.UNSURE;
    }
}
