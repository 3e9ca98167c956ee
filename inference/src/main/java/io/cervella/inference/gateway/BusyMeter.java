package io.cervella.inference.gateway;

/**
 * Splits a backend's busy time among the requests it serves at once: while n requests run, each is
 * charged 1/n of the elapsed time. The shares of all requests add up to the time the backend was
 * busy, so cost = cost_per_hour x share sums to what the backend cost while it worked.
 */
final class BusyMeter {
    private double sharedSeconds;
    private int active;
    private long lastNanos = System.nanoTime();

    /** One request's stay at the backend. */
    final class Shift {
        private final double mark;
        private double share = -1;

        private Shift(double mark) {
            this.mark = mark;
        }

        /** Ends the stay (once; later calls return the same share) and returns its share in seconds. */
        double end() {
            synchronized (BusyMeter.this) {
                if (share < 0) {
                    advance();
                    active--;
                    share = sharedSeconds - mark;
                }
                return share;
            }
        }
    }

    synchronized Shift enter() {
        advance();
        active++;
        return new Shift(sharedSeconds);
    }

    private void advance() {
        long now = System.nanoTime();
        if (active > 0) {
            sharedSeconds += (now - lastNanos) / 1e9 / active;
        }
        lastNanos = now;
    }
}
