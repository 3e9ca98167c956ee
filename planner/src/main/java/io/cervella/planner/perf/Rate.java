package io.cervella.planner.perf;

/** A throughput in tokens per second, and where it came from (said in every report). */
public record Rate(double tokensPerSecond, Source source, String detail) {

    public enum Source {
        MEASURED("measured"),
        PUBLISHED("published"),
        SCALED_BY_WEIGHTS("scaled by weight size"),
        BANDWIDTH_BOUND("memory-bandwidth bound"),
        SCALED("scaled by memory bandwidth");

        private final String label;

        Source(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public Rate {
        if (!(tokensPerSecond > 0) || Double.isInfinite(tokensPerSecond)) {
            throw new IllegalArgumentException("a rate must be positive, was " + tokensPerSecond);
        }
    }

    /** The slower of two, keeping its source. */
    static Rate slower(Rate a, Rate b) {
        return a.tokensPerSecond <= b.tokensPerSecond ? a : b;
    }
}
