package io.cervella.planner.plan;

import java.util.List;

/**
 * Availability arithmetic on fractions (0.999 for 99.9%): components a request needs one after the
 * other multiply (series); replicas of which one suffices fail only together (parallel). Failures
 * are taken as independent — the usual assumption, optimistic for replicas in one zone.
 */
public final class Availability {
    private Availability() {}

    public static double series(List<Double> parts) {
        double a = 1;
        for (double p : parts) {
            a *= p;
        }
        return a;
    }

    public static double parallel(double each, int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("at least one replica, was " + replicas);
        }
        return 1 - Math.pow(1 - each, replicas);
    }

    /** Minutes of a 30-day month a fraction available leaves down. */
    public static double downtimeMinutesPerMonth(double availability) {
        return (1 - availability) * 30 * 24 * 60;
    }
}
