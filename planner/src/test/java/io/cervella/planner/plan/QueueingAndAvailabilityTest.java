package io.cervella.planner.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The formulas on cases worked by hand. */
class QueueingAndAvailabilityTest {

    @Test
    void erlangCMatchesTheClosedFormsForOneAndTwoServers() {
        // M/M/1: the chance to wait is the utilisation
        assertEquals(0.5, Queueing.erlangC(1, 0.5), 1e-12);
        // M/M/2 with a = 1: C = (a²/2 · 2/(2−a)) / (1 + a + a²/2 · 2/(2−a)) = 1 / (1 + 1 + 1) = 1/3
        assertEquals(1.0 / 3, Queueing.erlangC(2, 1), 1e-12);
        assertEquals(1, Queueing.erlangC(2, 2), "a saturated queue always waits");
        assertEquals(0, Queueing.erlangC(3, 0));
        assertThrows(IllegalArgumentException.class, () -> Queueing.erlangC(0, 1));
    }

    @Test
    void theWaitQuantileOfAnMm1Queue() {
        // λ = 0.5, μ = 1: P(W > t) = 0.5·e^(−0.5t) = 0.05 → t = 2·ln 10
        assertEquals(2 * Math.log(10), Queueing.waitQuantile(1, 0.5, 1, 0.95), 1e-9);
        // fewer than 5% wait at all: the 95th percentile waits nothing
        assertEquals(0, Queueing.waitQuantile(4, 0.1, 1, 0.95));
        assertEquals(Double.POSITIVE_INFINITY, Queueing.waitQuantile(1, 1, 1, 0.95));
    }

    @Test
    void seriesMultipliesAndParallelFailsOnlyTogether() {
        assertEquals(0.98901, Availability.series(List.of(0.999, 0.99)), 1e-12);
        assertEquals(0.9975, Availability.parallel(0.95, 2), 1e-12);
        assertEquals(0.95, Availability.parallel(0.95, 1), 1e-12);
        // 99.9% leaves 43.2 minutes of a 30-day month
        assertEquals(43.2, Availability.downtimeMinutesPerMonth(0.999), 1e-9);
        assertTrue(Availability.series(List.of()) == 1);
    }
}
