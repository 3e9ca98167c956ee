package io.cervella.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class YamlConfigReaderTest {
    record Root(ServerConfig server, DatabaseConfig database, List<ServerConfig> extra) {}

    @Test
    void readsSnakeCaseKeysAndAppliesDefaults() {
        Root r = YamlConfigReader.parse("""
                server:
                  port: 9443
                  max_body_bytes: 1024
                  hostnames: [a.example, 10.0.0.5]
                """, Root.class, "test.yaml");
        assertThat(r.server().port()).isEqualTo(9443);
        assertThat(r.server().maxBodyBytes()).isEqualTo(1024);
        assertThat(r.server().bind()).isEqualTo("0.0.0.0");
        assertThat(r.server().hostnames()).containsExactly("a.example", "10.0.0.5");
    }

    @Test
    void emptyFileMeansDefaults() {
        Root r = YamlConfigReader.parse("", Root.class, "test.yaml");
        assertThat(r.server()).isNull();
    }

    @Test
    void unknownKeyIsNamedWithItsPath() {
        assertThatThrownBy(() -> YamlConfigReader.parse("server:\n  prot: 1\n", Root.class, "test.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yaml: server.prot: unknown key")
                .hasMessageContaining("port");
    }

    @Test
    void wrongTypeIsNamedWithItsPath() {
        assertThatThrownBy(() -> YamlConfigReader.parse("server:\n  port: lots\n", Root.class, "c.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("c.yaml: server.port: ");
    }

    @Test
    void failedCheckNamesTheKeyAndTheProblem() {
        assertThatThrownBy(() -> YamlConfigReader.parse("extra:\n  - port: 1\n  - port: 70000\n", Root.class, "c.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("extra[1]")
                .hasMessageContaining("port: must be between 0 and 65535, was 70000");
        assertThatThrownBy(() -> YamlConfigReader.parse("database:\n  url: mysql://x\n", Root.class, "c.yaml"))
                .hasMessageContaining("database")
                .hasMessageContaining("url: must start with jdbc:postgresql:");
    }

    @Test
    void brokenYamlIsReported() {
        assertThatThrownBy(() -> YamlConfigReader.parse("server: [\n", Root.class, "c.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("c.yaml: ");
    }
}
