package io.cervella.edge.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cervella.core.config.YamlConfigReader;
import io.cervella.core.store.MetadataStore;
import io.cervella.core.testkit.PostgresTestServer;
import io.cervella.edge.config.RateLimitConfig;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private static RateLimitConfig config(String yaml) {
        return YamlConfigReader.parse(yaml, RateLimitConfig.class, "test");
    }

    @Test
    void eachAddressAndKeyHasItsOwnBucket() throws Exception {
        RateLimiter limiter = RateLimiter.local(config("{per_ip: {requests_per_second: 0.1, burst: 2}, per_key: {requests_per_second: 0.1, burst: 1}}"));
        InetAddress a = InetAddress.getByName("192.0.2.1");
        InetAddress b = InetAddress.getByName("2001:db8::1");
        assertTrue(limiter.tryIp(a).isEmpty());
        assertTrue(limiter.tryIp(a).isEmpty());
        var wait = limiter.tryIp(a);
        assertTrue(wait.isPresent());
        assertTrue(wait.getAsLong() >= 1 && wait.getAsLong() <= 10, "seconds to the next token at 0.1/s: " + wait.getAsLong());
        assertTrue(limiter.tryIp(b).isEmpty());
        assertTrue(limiter.tryKey("k1").isEmpty());
        assertTrue(limiter.tryKey("k1").isPresent());
        assertTrue(limiter.tryKey("k2").isEmpty());
    }

    @Test
    void ipv6AddressesOfOneSlash64ShareABucket() throws Exception {
        RateLimiter limiter = RateLimiter.local(config("{per_ip: {requests_per_second: 0.01, burst: 2}}"));
        assertTrue(limiter.tryIp(InetAddress.getByName("2001:db8:1:2::1")).isEmpty());
        assertTrue(limiter.tryIp(InetAddress.getByName("2001:db8:1:2:ffff::9")).isEmpty());
        assertTrue(limiter.tryIp(InetAddress.getByName("2001:db8:1:2:abcd::5")).isPresent(), "a fresh address in the same /64");
        assertTrue(limiter.tryIp(InetAddress.getByName("2001:db8:1:3::1")).isEmpty(), "the next /64 is another client");
    }

    @Test
    void zeroTurnsALimitOff() throws Exception {
        RateLimiter limiter = RateLimiter.local(config("{per_ip: {requests_per_second: 0}}"));
        InetAddress a = InetAddress.getByName("192.0.2.1");
        for (int i = 0; i < 10_000; i++) {
            assertTrue(limiter.tryIp(a).isEmpty());
        }
        assertTrue(limiter.tryKey("any").isEmpty(), "per key is off unless set");
    }

    @Test
    void nodesSharingPostgresDrawOnOneBucket() throws Exception {
        try (MetadataStore store = MetadataStore.openPostgres(PostgresTestServer.get().newDatabaseUrl(), null, null)) {
            RateLimitConfig c = config("{per_ip: {requests_per_second: 0.01, burst: 5}}");
            RateLimiter node1 = RateLimiter.postgres(c, store.dataSource());
            RateLimiter node2 = RateLimiter.postgres(c, store.dataSource());
            InetAddress client = InetAddress.getByName("198.51.100.7");
            int allowed = 0;
            for (int i = 0; i < 10; i++) {
                if ((i % 2 == 0 ? node1 : node2).tryIp(client).isEmpty()) {
                    allowed++;
                }
            }
            assertEquals(5, allowed, "five in all, whichever node the requests reached");
            try (Connection conn = store.dataSource().getConnection(); Statement s = conn.createStatement()) {
                s.executeUpdate("ALTER TABLE edge_rate_buckets RENAME TO edge_rate_buckets_gone");
            }
            InetAddress other = InetAddress.getByName("198.51.100.8");
            assertTrue(node1.tryIp(other).isEmpty(), "a database that fails lets requests through");
            for (int i = 0; i < 4; i++) {
                node1.tryIp(other);
            }
            assertTrue(node1.tryIp(other).isPresent(), "and this node's own bucket still limits them");
            try (Connection conn = store.dataSource().getConnection(); Statement s = conn.createStatement()) {
                s.executeUpdate("ALTER TABLE edge_rate_buckets_gone RENAME TO edge_rate_buckets");
            }
            try (Connection conn = store.dataSource().getConnection(); Statement s = conn.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id FROM edge_rate_buckets")) {
                assertTrue(rs.next());
                assertEquals("ip:198.51.100.7", rs.getString(1));
            }
        }
    }
}
