package io.cervella.memory.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MarkdownChunkerTest {
    private static final String NOTE = """
            Premessa senza titolo.

            # Decisioni

            Abbiamo scelto PostgreSQL per i metadati condivisi.

            ## Backup

            I backup vanno in due regioni. Il ripristino è provato ogni settimana.

            ```bash
            # not a heading: a shell comment inside code

            restic backup /data
            ```

            ## Modelli
            Cervella Baby è Qwen3-4B.
            # Altro #
            Fine.
            """;

    @Test
    void chunksFollowHeadingsAndTheirOffsetsPointAtTheirText() {
        List<Chunk> chunks = new MarkdownChunker(500, 50).chunk(NOTE);
        assertThat(chunks).extracting(Chunk::headings).containsExactly(
                List.of(), List.of("Decisioni"), List.of("Decisioni", "Backup"), List.of("Decisioni", "Modelli"), List.of("Altro"));
        for (Chunk c : chunks) {
            assertThat(NOTE.substring(c.start(), c.end())).isEqualTo(c.text());
            assertThat(c.text()).isEqualTo(c.text().strip());
        }
        Chunk backup = chunks.get(2);
        assertThat(backup.text()).startsWith("## Backup").contains("# not a heading").endsWith("```");
        assertThat(chunks.get(4).text()).isEqualTo("# Altro #\nFine.");
        assertThat(chunks).extracting(Chunk::index).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void longTextIsCutAtSentencesWithOverlap() {
        String sentence = "La squadra salva ogni decisione in un file Markdown con data e autore. ";
        String doc = "# Note\n\n" + sentence.repeat(30).strip() + "\n";
        List<Chunk> chunks = new MarkdownChunker(300, 60).chunk(doc);
        assertThat(chunks).hasSizeGreaterThan(5);
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            assertThat(doc.substring(c.start(), c.end())).isEqualTo(c.text());
            assertThat(c.text().length()).isLessThanOrEqualTo(300 + 60);
            assertThat(c.headings()).containsExactly("Note");
            if (i > 0) {
                assertThat(c.start()).as("overlaps the previous chunk").isLessThan(chunks.get(i - 1).end());
                assertThat(Character.isWhitespace(doc.charAt(c.start() - 1))).as("starts at a word").isTrue();
            }
            if (i < chunks.size() - 1) {
                assertThat(c.text()).endsWith(".");
            }
        }
        assertThat(chunks.getLast().end()).isEqualTo(doc.strip().length());
    }

    @Test
    void windowsLineEndsEmptyDocumentsAndOneHugeWord() {
        String crlf = "# Titolo\r\n\r\nRiga uno.\r\nRiga due.\r\n";
        List<Chunk> chunks = new MarkdownChunker(500, 0).chunk(crlf);
        assertThat(chunks).hasSize(1);
        assertThat(chunks.getFirst().text()).isEqualTo("# Titolo\r\n\r\nRiga uno.\r\nRiga due.");
        assertThat(chunks.getFirst().headings()).containsExactly("Titolo");
        assertThat(new MarkdownChunker(500, 0).chunk("")).isEmpty();
        assertThat(new MarkdownChunker(500, 0).chunk("\n\n  \n")).isEmpty();
        String word = "x".repeat(1000);
        List<Chunk> cut = new MarkdownChunker(400, 0).chunk(word);
        assertThat(cut).extracting(Chunk::text).containsExactly("x".repeat(400), "x".repeat(400), "x".repeat(200));
        assertThatThrownBy(() -> new MarkdownChunker(100, 60)).isInstanceOf(IllegalArgumentException.class);
    }
}
