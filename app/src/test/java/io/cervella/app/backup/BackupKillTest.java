package io.cervella.app.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.Main;
import io.cervella.app.testkit.RunningPlatform;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of `cervella backup run` half way: the next run and a full verify are clean, and prune goes ahead. */
class BackupKillTest {
    @TempDir Path dir;

    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(out, true), args);
        assertThat(exit).as(out.toString()).isZero();
        return out.toString();
    }

    @Test
    void aBackupKilledHalfWayLeavesARepositoryTheNextRunCompletes() throws Exception {
        Path data = dir.resolve("data");
        try (RunningPlatform p = RunningPlatform.start(data, "")) {
            p.createKey("{\"name\":\"agent\",\"scopes\":[\"chat\"]}");
        }
        // a vault of 8 packs of 16 MiB (random: nothing dedups), as the vault's own files would be
        Random random = new Random(1);
        for (int i = 0; i < 8; i++) {
            Path pack = data.resolve("vault/packs/0" + i + "/pack-" + i);
            Files.createDirectories(pack.getParent());
            byte[] b = new byte[16 << 20];
            random.nextBytes(b);
            Files.write(pack, b);
        }
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        Path keyFile = dir.resolve("backup.key");
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(raw));
        Path config = dir.resolve("backup.yaml");
        Files.writeString(config, "backup:\n  unlock:\n    key_file: " + keyFile + "\n");
        Path repo = dir.resolve("repo");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process run = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "io.cervella.app.Main", "backup", "run", "--data", data.toString(), "--repo", repo.toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("run.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && packs(repo) < 2 && run.isAlive()) {
            Thread.sleep(10);
        }
        assertThat(run.isAlive()).as("still running when killed: " + Files.readString(dir.resolve("run.log"))).isTrue();
        run.destroyForcibly(); // SIGKILL
        assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(repo.resolve("snapshots")).as("no snapshot from the killed run").doesNotExist();
        assertThat(repo.resolve("locks")).as("its lock is left behind").isNotEmptyDirectory();

        String second = cli("backup", "run", "--data", data.toString(), "--repo", repo.toString(), "--config", config.toString());
        assertThat(second).contains("snapshot ");
        String verify = cli("backup", "verify", "--read-data", "100%", "--repo", repo.toString(), "--config", config.toString());
        assertThat(verify).contains("no problems");
        String prune = cli("backup", "prune", "--repo", repo.toString(), "--config", config.toString());
        assertThat(prune).as("the dead process's lock does not stand in the way").contains("pruned:");
        assertThat(cli("backup", "verify", "--read-data", "100%", "--repo", repo.toString(), "--config", config.toString()))
                .contains("no problems");
        assertThat(cli("backup", "list", "--repo", repo.toString(), "--config", config.toString()).lines()
                .filter(l -> l.matches("^[0-9a-f]{8}\\s.*")).count()).isEqualTo(1);
    }

    private static long packs(Path repo) throws Exception {
        Path data = repo.resolve("data");
        if (!Files.isDirectory(data)) {
            return 0;
        }
        try (var walk = Files.walk(data)) {
            return walk.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().contains(".tmp")).count();
        }
    }
}
