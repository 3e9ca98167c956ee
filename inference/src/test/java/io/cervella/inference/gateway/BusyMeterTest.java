package io.cervella.inference.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BusyMeterTest {
    @Test
    void concurrentRequestsShareTheBusyTime() throws Exception {
        BusyMeter meter = new BusyMeter();
        long t0 = System.nanoTime();
        BusyMeter.Shift a = meter.enter();
        BusyMeter.Shift b = meter.enter();
        Thread.sleep(100);
        double shareA = a.end();
        Thread.sleep(50);
        double shareB = b.end();
        double wall = (System.nanoTime() - t0) / 1e9;

        // The shares add up to the time the backend was busy, no more.
        assertThat(shareA + shareB).isCloseTo(wall, within(0.01));
        assertThat(shareA).isLessThan(shareB);
        assertThat(a.end()).isEqualTo(shareA); // ending twice changes nothing
    }

    @Test
    void idleTimeIsChargedToNobody() throws Exception {
        BusyMeter meter = new BusyMeter();
        Thread.sleep(50);
        BusyMeter.Shift a = meter.enter();
        double share = a.end();
        assertThat(share).isLessThan(0.01);
    }
}
