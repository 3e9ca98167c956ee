package io.cervella.inference.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.core.http.ApiException;
import io.cervella.core.keys.ApiKeyRecord;
import io.cervella.core.keys.Scope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import org.junit.jupiter.api.Test;

class KeyLimiterTest {
    private static ApiKeyRecord key(Integer rpm, Integer tpm, Double budget) {
        return new ApiKeyRecord("id" + System.nanoTime(), "k", Set.of(Scope.CHAT), rpm, tpm, budget, Instant.now(), null);
    }

    @Test
    void requestsPerMinuteAreCountedAndTheRefusalSaysWhenToRetry() throws Exception {
        KeyLimiter limiter = new KeyLimiter(Map.of());
        ApiKeyRecord k = key(3, null, null);
        for (int i = 0; i < 3; i++) {
            limiter.admit(k, 1).settle(1, 0);
        }
        assertThatThrownBy(() -> limiter.admit(k, 1))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(Long.parseLong(e.headers().get("Retry-After"))).isBetween(1L, 60L);
                });
    }

    @Test
    void tokensPerMinuteSettleToTheRealCount() throws Exception {
        KeyLimiter limiter = new KeyLimiter(Map.of());
        ApiKeyRecord k = key(null, 100, null);
        limiter.admit(k, 10).settle(95, 0); // reserved 10, used 95
        assertThatThrownBy(() -> limiter.admit(k, 10)).isInstanceOf(ApiException.class)
                .hasMessageContaining("100 tokens per minute");
    }

    @Test
    void aSpentBudgetIsRefusedWith402AndSurvivesARestart() throws Exception {
        ApiKeyRecord k = key(null, null, 1.0);
        KeyLimiter afterRestart = new KeyLimiter(Map.of(k.id(), 1.0));
        assertThatThrownBy(() -> afterRestart.admit(k, 1))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(402);
                    assertThat(e.code()).isEqualTo("budget_exceeded");
                });
    }

    @Test
    void freeBackendsDoNotMakeABudgetedKeyRunOneRequestAtATime() throws Exception {
        KeyLimiter limiter = new KeyLimiter(Map.of());
        ApiKeyRecord k = key(null, null, 1.0);
        limiter.admit(k, 1).settle(1, 0.0); // the first request shows that this key's requests cost nothing
        KeyLimiter.Admission running = limiter.admit(k, 1);
        Thread second = Thread.ofVirtual().start(() -> {
            try {
                limiter.admit(k, 1).settle(1, 0.0);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        second.join(java.time.Duration.ofSeconds(2));
        assertThat(second.isAlive()).as("second request waited for the first").isFalse();
        running.settle(1, 0.0);
    }

    /**
     * 50 requests at once against a budget of 10 requests' worth: the spend may pass the budget by at
     * most one request's cost, whatever the interleaving.
     */
    @Test
    void concurrentRequestsNeverOverspendByMoreThanOneRequest() throws Exception {
        for (int round = 0; round < 5; round++) {
            KeyLimiter limiter = new KeyLimiter(Map.of());
            double cost = 0.1;
            ApiKeyRecord k = key(null, null, 1.0);
            DoubleAdder spent = new DoubleAdder();
            AtomicInteger refused = new AtomicInteger();
            Random random = new Random(round);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                long work = random.nextInt(5);
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        KeyLimiter.Admission a = limiter.admit(k, 1);
                        Thread.sleep(work);
                        spent.add(cost);
                        a.settle(1, cost);
                    } catch (ApiException e) {
                        assertThat(e.status()).isEqualTo(402);
                        refused.incrementAndGet();
                    } catch (InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(spent.sum()).isLessThanOrEqualTo(1.0 + cost + 1e-9);
            assertThat(spent.sum()).isGreaterThanOrEqualTo(1.0 - 1e-9);
            assertThat(refused.get()).isGreaterThanOrEqualTo(39);
            assertThat(limiter.spentUsd(k)).isEqualTo(spent.sum(), org.assertj.core.api.Assertions.within(1e-9));
        }
    }
}
