package io.cervella.app.vault;

import static org.assertj.core.api.Assertions.assertThat;

import io.cervella.app.Main;
import io.cervella.app.testkit.RunningPlatform;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cervella sync and cervella vault ls|versions|cat|restore|check|prune through a running server. */
class VaultCliTest {
    @TempDir Path dir;

    private record Run(int exit, String out) {}

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        PrintStream stdout = System.out;
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        System.setOut(new PrintStream(raw, true, StandardCharsets.UTF_8)); // cat writes the file's bytes to stdout
        try {
            int exit = Main.run(new PrintWriter(out, true), new PrintWriter(out, true), args);
            return new Run(exit, out + raw.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
        }
    }

    @Test
    void aFolderIsSyncedAndItsHistoryReadAndRestoredFromTheCommandLine() throws Exception {
        try (RunningPlatform platform = RunningPlatform.start(dir.resolve("data"), "", VaultSyncTest.UNLOCK)) {
            String key = platform.createKey("{\"name\":\"laptop\",\"scopes\":[\"vault\"]}");
            Path folder = Files.createDirectories(dir.resolve("sncp"));
            List<String> server = List.of("--server", platform.baseUrl(), "--key", key, "--cacert", platform.caFile().toString());
            Files.writeString(folder.resolve("diario.md"), "primo giorno\n");
            Run first = cli(args(List.of("sync", folder.toString()), server));
            assertThat(first.exit()).as(first.out()).isZero();
            assertThat(first.out()).contains("synced: 1 sent");
            Files.writeString(folder.resolve("diario.md"), "secondo giorno\n");
            assertThat(cli(args(List.of("sync", folder.toString()), server)).exit()).isZero();

            Run ls = cli(args(List.of("vault", "ls"), server));
            assertThat(ls.out()).contains("diario.md").contains("PATH");
            Run versions = cli(args(List.of("vault", "versions", "diario.md"), server));
            assertThat(versions.out().lines().filter(l -> l.matches("^\\d+\\s.*")).count()).as(versions.out()).isEqualTo(2);
            Run cat = cli(args(List.of("vault", "cat", "diario.md", "--seq", "1"), server));
            assertThat(cat.out()).isEqualTo("primo giorno\n");
            Run restore = cli(args(List.of("vault", "restore", "diario.md", "--seq", "1"), server));
            assertThat(restore.out()).contains("version 1 is current again");
            cli(args(List.of("sync", folder.toString()), server));
            assertThat(Files.readString(folder.resolve("diario.md"))).isEqualTo("primo giorno\n");
            Run missing = cli(args(List.of("vault", "cat", "../etc/passwd"), server));
            assertThat(missing.exit()).isNotZero();
            assertThat(missing.out()).contains("'..'");

            List<String> admin = List.of("--server", platform.baseUrl(), "--key", platform.adminKey(), "--cacert",
                    platform.caFile().toString());
            Run check = cli(args(List.of("vault", "check"), admin));
            assertThat(check.exit()).as(check.out()).isZero();
            assertThat(check.out()).startsWith("clean: ");
            Run prune = cli(args(List.of("vault", "prune", "--dry-run"), admin));
            assertThat(prune.out()).as("everything is recent: nothing goes").startsWith("would drop 0 versions");
            Run noServer = cli("sync", folder.toString());
            assertThat(noServer.exit()).isEqualTo(2);
            assertThat(noServer.out()).contains("--server and --key");
        }
    }

    private static String[] args(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all.toArray(String[]::new);
    }
}
