package io.cervella.edge.guard;

import io.cervella.edge.config.RateLimitConfig;
import io.github.bucket4j.BandwidthBuilder;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import java.net.InetAddress;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Token buckets per client address and per API key (Bucket4j): in this node's memory, or in
 * PostgreSQL's {@code edge_rate_buckets} so that every node behind a load balancer draws on the same
 * bucket. A request takes one token; an empty bucket answers how many seconds until the next one.
 */
public final class RateLimiter {
    private final RateLimitConfig.Rate perIp;
    private final RateLimitConfig.Rate perKey;
    private final Store store;
    private final boolean shared;
    private final Store nodeLocal = new LocalStore();
    private volatile long lastWarning = System.nanoTime() - TimeUnit.HOURS.toNanos(1);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RateLimiter.class);

    private RateLimiter(RateLimitConfig config, Store store, boolean shared) {
        this.perIp = config.perIp();
        this.perKey = config.perKey();
        this.store = store;
        this.shared = shared;
    }

    /** Whether the buckets are in PostgreSQL (a lookup blocks on the database). */
    public boolean isShared() {
        return shared;
    }

    public static RateLimiter local(RateLimitConfig config) {
        return new RateLimiter(config, new LocalStore(), false);
    }

    public static RateLimiter postgres(RateLimitConfig config, DataSource dataSource) {
        ProxyManager<String> buckets = Bucket4jPostgreSQL
                .selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper.STRING)
                .table("edge_rate_buckets").idColumn("id").stateColumn("state").expiresAtColumn("expires_at")
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                .build();
        return new RateLimiter(config, (id, rate) -> buckets.getProxy(id, () -> configuration(rate)), true);
    }

    /** Empty when this address may go on; else the seconds to wait (for Retry-After). */
    public OptionalLong tryIp(InetAddress address) {
        return perIp.enabled() && address != null ? take("ip:" + io.cervella.edge.net.ClientKey.of(address), perIp) : OptionalLong.empty();
    }

    /** Empty when this key may go on; else the seconds to wait. */
    public OptionalLong tryKey(String keyId) {
        return perKey.enabled() ? take("key:" + keyId, perKey) : OptionalLong.empty();
    }

    public RateLimitConfig.Rate perIp() { return perIp; }
    public RateLimitConfig.Rate perKey() { return perKey; }

    private OptionalLong take(String id, RateLimitConfig.Rate rate) {
        if (!shared) {
            return verdict(store.bucket(id, rate).tryConsumeAndReturnRemaining(1));
        }
        // shared: this node's own bucket first, so that a flood is turned away without a database round
        // trip; then the nodes' common bucket. A database that fails does not fail requests (open, logged).
        OptionalLong here = verdict(nodeLocal.bucket(id, rate).tryConsumeAndReturnRemaining(1));
        if (here.isPresent()) {
            return here;
        }
        try {
            return verdict(store.bucket(id, rate).tryConsumeAndReturnRemaining(1));
        } catch (RuntimeException e) {
            long now = System.nanoTime();
            if (now - lastWarning > TimeUnit.MINUTES.toNanos(1)) {
                lastWarning = now;
                LOG.warn("rate limits: the shared buckets in the database cannot be reached ({}); this node's own buckets apply meanwhile",
                        e.getMessage());
            }
            return OptionalLong.empty();
        }
    }

    private static OptionalLong verdict(ConsumptionProbe probe) {
        if (probe.isConsumed()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999L)));
    }

    /** {@code burst} tokens at most, refilled smoothly at {@code requests_per_second}. */
    static BucketConfiguration configuration(RateLimitConfig.Rate rate) {
        long periodNanos = (long) (1e9 / rate.requestsPerSecond());
        return BucketConfiguration.builder()
                .addLimit(BandwidthBuilder.builder().capacity(rate.burst()).refillGreedy(1, Duration.ofNanos(periodNanos)).build())
                .build();
    }

    @FunctionalInterface
    private interface Store {
        Bucket bucket(String id, RateLimitConfig.Rate rate);
    }

    /** In memory; buckets that have refilled to full and sat a minute are dropped, so a scan of many addresses cannot grow it for ever. */
    private static final class LocalStore implements Store {
        private record Entry(Bucket bucket, long capacity, long[] lastUse) {}

        private static final int MAX_BUCKETS = 200_000;
        private final ConcurrentHashMap<String, Entry> buckets = new ConcurrentHashMap<>();
        private final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public Bucket bucket(String id, RateLimitConfig.Rate rate) {
            long now = System.nanoTime();
            Entry e = buckets.computeIfAbsent(id, k -> new Entry(Bucket.builder()
                    .addLimit(configuration(rate).getBandwidths()[0]).build(), rate.burst(), new long[] {now}));
            e.lastUse()[0] = now;
            if (calls.incrementAndGet() % 10_000 == 0 || buckets.size() > MAX_BUCKETS) {
                sweep(now);
            }
            return e.bucket();
        }

        private void sweep(long now) {
            // a full bucket is the same as none: dropping it forgets nothing. Many addresses at once
            // (a scan, a spoofing flood): drop every full one, not only those idle a minute.
            long idle = buckets.size() > MAX_BUCKETS ? 0 : TimeUnit.MINUTES.toNanos(1);
            buckets.entrySet().removeIf(en -> now - en.getValue().lastUse()[0] >= idle
                    && en.getValue().bucket().getAvailableTokens() >= en.getValue().capacity());
        }
    }
}
