package io.cervella.edge.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BalancingPolicyTest {
    private static Upstream upstream(String name, int weight) {
        return new Upstream(URI.create("http://" + name + ":80"), weight, new CircuitBreaker(3, Duration.ofSeconds(1), System::nanoTime));
    }

    private static Map<Upstream, Integer> spread(BalancingPolicy p, List<Upstream> all, int n) {
        Map<Upstream, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(p.pick(all), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinTakesEachInTurn() {
        List<Upstream> all = List.of(upstream("a", 1), upstream("b", 1), upstream("c", 1));
        BalancingPolicy p = BalancingPolicy.named("round_robin", all);
        Map<Upstream, Integer> c = spread(p, all, 300);
        all.forEach(u -> assertEquals(100, c.get(u)));
        assertNull(p.pick(List.of()));
    }

    @Test
    void leastRequestsAvoidsTheBusyOne() {
        Upstream a = upstream("a", 1);
        Upstream b = upstream("b", 1);
        Upstream busy = upstream("busy", 1);
        busy.started();
        busy.started();
        List<Upstream> all = List.of(a, b, busy);
        Map<Upstream, Integer> c = spread(BalancingPolicy.named("least_requests", all), all, 100);
        assertNull(c.get(busy));
        assertEquals(50, c.get(a));
        assertEquals(50, c.get(b));
    }

    @Test
    void weightedFollowsTheWeightsAndInterleaves() {
        Upstream a = upstream("a", 5);
        Upstream b = upstream("b", 1);
        Upstream c = upstream("c", 1);
        List<Upstream> all = List.of(a, b, c);
        BalancingPolicy p = BalancingPolicy.named("weighted", all);
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            order.append(p.pick(all).uri().getHost());
        }
        assertEquals("aabacaa", order.toString()); // smooth: never five a's in a row
        Map<Upstream, Integer> counts = spread(p, all, 7000);
        assertEquals(5000, counts.get(a));
        assertEquals(1000, counts.get(b));
        assertEquals(1000, counts.get(c));
    }

    @Test
    void weightedSharesAmongTheAvailableWhenOneIsOut() {
        Upstream a = upstream("a", 3);
        Upstream b = upstream("b", 1);
        BalancingPolicy p = BalancingPolicy.named("weighted", List.of(a, b));
        Map<Upstream, Integer> counts = spread(p, List.of(b), 10);
        assertEquals(10, counts.get(b));
    }
}
