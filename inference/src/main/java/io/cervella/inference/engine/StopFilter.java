package io.cervella.inference.engine;

import java.util.List;
import java.util.function.Consumer;

/**
 * Passes generated text on, holding back just enough to be sure no stop string is being written: the
 * client never sees any part of a stop string, and the text ends right before the first one.
 */
final class StopFilter {
    private final List<String> stops;
    private final Consumer<String> sink;
    private final StringBuilder all = new StringBuilder();
    private int emitted;
    private boolean stopped;

    StopFilter(List<String> stops, Consumer<String> sink) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
        this.sink = sink;
    }

    /** Adds text; returns true when a stop string has appeared (generation should end). */
    boolean accept(String piece) {
        if (stopped || piece.isEmpty()) {
            return stopped;
        }
        all.append(piece);
        int cut = -1;
        for (String s : stops) {
            int at = all.indexOf(s, Math.max(0, emitted - s.length()));
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            all.setLength(cut);
            stopped = true;
            emit(all.length());
            return true;
        }
        // Hold back the longest tail that could be the start of a stop string.
        int hold = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, all.length()); k > hold; k--) {
                if (all.substring(all.length() - k).equals(s.substring(0, k))) {
                    hold = k;
                    break;
                }
            }
        }
        emit(all.length() - hold);
        return false;
    }

    void flush() {
        emit(all.length());
    }

    boolean stopped() {
        return stopped;
    }

    String text() {
        return all.toString();
    }

    private void emit(int upTo) {
        if (upTo > emitted) {
            sink.accept(all.substring(emitted, upTo));
            emitted = upTo;
        }
    }
}
