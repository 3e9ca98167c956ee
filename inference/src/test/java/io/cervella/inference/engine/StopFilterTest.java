package io.cervella.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopFilterTest {
    @Test
    void aStopStringSplitAcrossPiecesIsNeverPartlyEmitted() {
        List<String> out = new ArrayList<>();
        StopFilter f = new StopFilter(List.of("STOP"), out::add);
        assertThat(f.accept("hello S")).isFalse();
        assertThat(f.accept("T")).isFalse();
        assertThat(f.accept("OP and more")).isTrue();
        f.flush();
        assertThat(String.join("", out)).isEqualTo("hello ");
        assertThat(f.text()).isEqualTo("hello ");
    }

    @Test
    void aFalseStartIsReleased() {
        List<String> out = new ArrayList<>();
        StopFilter f = new StopFilter(List.of("STOP"), out::add);
        f.accept("ST");
        assertThat(String.join("", out)).isEmpty();
        f.accept("ART");
        f.flush();
        assertThat(String.join("", out)).isEqualTo("START");
    }

    @Test
    void theEarliestOfSeveralStopsWins() {
        StopFilter f = new StopFilter(List.of("world", "lo w"), s -> {});
        f.accept("hello world");
        assertThat(f.text()).isEqualTo("hel");
    }
}
