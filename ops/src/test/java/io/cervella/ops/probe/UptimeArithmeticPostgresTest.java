package io.cervella.ops.probe;

import io.cervella.core.store.MetadataStore;
import io.cervella.core.testkit.PostgresTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** The uptime, history and pruning figures again, on PostgreSQL (the same SQL must mean the same there). */
class UptimeArithmeticPostgresTest extends UptimeArithmeticTest {
    @Override
    MetadataStore openStore(Path dir) {
        Assumptions.assumeTrue(System.getenv("CERVELLA_TEST_PG_URL") != null || Files.isDirectory(Path.of("/usr/lib/postgresql")),
                "PostgreSQL's binaries are not installed");
        return MetadataStore.openPostgres(PostgresTestServer.get().newDatabaseUrl(), null, null);
    }
}
