package io.cervella.ops.alert;

import io.cervella.core.config.YamlConfigReader;
import io.cervella.core.store.MetadataStore;
import io.cervella.ops.config.OpsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import io.cervella.core.http.Json;

/** What the alert tests share: config from YAML, an engine with quick retries, JSON reading. */
final class AlertTesting {
    static final Instant START = Instant.parse("2026-03-10T09:00:00Z");
    /** Short waits between tries, so that a test of the retries takes milliseconds. */
    static final AlertEngine.Delivery QUICK = new AlertEngine.Delivery(Duration.ofSeconds(5), 3, Duration.ofMillis(20));

    private AlertTesting() {}

    static OpsConfig ops(String yaml) {
        return YamlConfigReader.parse(yaml, OpsConfig.class, "test");
    }

    static AlertEngine engine(OpsConfig ops, MetadataStore store, TestFacts facts, TestClock clock, String node) {
        return engine(ops, store, facts, clock, node, new SimpleMeterRegistry());
    }

    static AlertEngine engine(OpsConfig ops, MetadataStore store, TestFacts facts, TestClock clock, String node,
                              MeterRegistry registry) {
        return new AlertEngine(ops, store, facts, facts, registry, clock, node, QUICK);
    }

    static JsonNode json(String body) {
        return Json.MAPPER.readTree(body);
    }
}
