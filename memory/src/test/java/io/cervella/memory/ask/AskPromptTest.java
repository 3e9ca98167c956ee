package io.cervella.memory.ask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.memory.index.Hit;
import java.util.List;
import org.junit.jupiter.api.Test;

class AskPromptTest {
    private static Hit hit(String doc, String text) {
        return new Hit(doc, 0, List.of("Note", "Sub"), 0, text.length(), text, 0.5f);
    }

    @Test
    void sourcesGoInByRankWhileTheyFitAndAreNumberedInTheirOrder() {
        List<Hit> ranked = List.of(hit("a.md", "short one"), hit("big.md", "x".repeat(3000)), hit("c.md", "another short"));
        AskPrompt p = AskPrompt.build("Why?", ranked, 600);
        // big.md does not fit in 600 tokens; c.md after it still does, and becomes source 2
        assertThat(p.sources()).extracting(s -> s.hit().documentId()).containsExactly("a.md", "c.md");
        assertThat(p.sources()).extracting(Source::number).containsExactly(1, 2);
        assertThat(p.user()).contains("[1] a.md > Note > Sub\nshort one", "[2] c.md > Note > Sub\nanother short")
                .endsWith("Question: Why?");
        assertThat(AskPrompt.estimateTokens(p.system()) + AskPrompt.estimateTokens(p.user()) + AskPrompt.TEMPLATE_TOKENS)
                .isLessThanOrEqualTo(600).isLessThanOrEqualTo(p.estimatedTokens() + 2);
        assertThat(AskPrompt.build("Why?", List.of(), 600).user()).contains("none were found");
    }

    @Test
    void nonAsciiTextCountsAsATokenACharacter() {
        assertThat(AskPrompt.estimateTokens("abcdef")).isEqualTo(2);
        assertThat(AskPrompt.estimateTokens("東京の天気")).isEqualTo(5);
        assertThat(AskPrompt.estimateTokens("🙂")).isEqualTo(1);
        assertThatThrownBy(() -> AskPrompt.checkFits("東".repeat(500), 400)).hasMessageContaining("too long");
    }

    @Test
    void citationsAreTheCitedSourcesInOrderOfFirstCitation() {
        List<Source> sources = List.of(new Source(1, hit("a.md", "a")), new Source(2, hit("b.md", "b")),
                new Source(3, hit("c.md", "c")));
        assertThat(Citations.of("B says so [2], and A [1, 2]; see [3][2] and [7].", sources))
                .extracting(Source::number).containsExactly(2, 1, 3);
        assertThat(Citations.of("<think>maybe [1]?</think>It is C [3].", sources)).extracting(Source::number).containsExactly(3);
        assertThat(Citations.of("<think>still thinking about [1] when the tokens ran out", sources)).isEmpty();
        assertThat(Citations.of("No sources say so.", sources)).isEmpty();
    }
}
