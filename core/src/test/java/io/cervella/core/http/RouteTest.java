package io.cervella.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTest {
    private final Route route = Route.of("DELETE", "/admin/keys/{id}", null, ex -> {});

    @Test
    void matchesAndExtractsParameters() {
        assertThat(route.match("/admin/keys/abc")).isEqualTo(Map.of("id", "abc"));
        assertThat(route.match("/admin/keys/")).isNull();
        assertThat(route.match("/admin/keys")).isNull();
        assertThat(route.match("/admin/keys/abc/x")).isNull();
        assertThat(route.match("/admin/other/abc")).isNull();
    }
}
