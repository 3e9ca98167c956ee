package io.cervella.app.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.app.testkit.RunningPlatform;
import io.cervella.core.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vault's keys from the command line, on a stopped server's data: a passphrase change (the old
 * one stops working, the data is untouched), a key rotation, a key file for unattended starts.
 */
class VaultKeysCliTest {
    @TempDir Path dir;

    /** Runs `cervella ARGS` as its own process with these environment variables (the CLI reads its secrets there). */
    private static String cli(Map<String, String> env, int expectedExit, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.cervella.app.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isEqualTo(expectedExit);
        return out;
    }

    @Test
    void passphraseRotationAndKeyFileChangeNoDataBlob() throws Exception {
        Path data = dir.resolve("data");
        try (RunningPlatform platform = RunningPlatform.start(data, "", VaultSyncTest.UNLOCK)) {
            SyncDevice laptop = new SyncDevice(platform, dir, "laptop");
            laptop.write("segreto.md", "prima della rotazione\n");
            laptop.sync();
        }
        List<Path> packs;
        try (var all = Files.walk(data.resolve("vault/packs"))) {
            packs = all.filter(Files::isRegularFile).toList();
        }
        String d = data.toString();
        String newPassphrase = "una frase nuova e lunga";
        String out = cli(Map.of("CERVELLA_VAULT_PASSPHRASE", VaultSyncTest.UNLOCK.get("CERVELLA_VAULT_PASSPHRASE"),
                "CERVELLA_VAULT_NEW_PASSPHRASE", newPassphrase), 0, "vault", "passphrase", "--data", d);
        assertThat(out).contains("passphrase changed");
        cli(Map.of("CERVELLA_VAULT_PASSPHRASE", newPassphrase), 0, "vault", "rotate-keys", "--data", d);
        Path keyFile = dir.resolve("vault.key");
        cli(Map.of("CERVELLA_VAULT_PASSPHRASE", newPassphrase), 0, "vault", "add-key-file", keyFile.toString(), "--data", d);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        // no data blob was rewritten
        for (Path p : packs) {
            assertThat(p).exists();
        }

        // the old passphrase opens nothing any more
        assertThatThrownBy(() -> RunningPlatform.start(data, "", VaultSyncTest.UNLOCK)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("wrong passphrase");
        // the new one does, and the data written before the rotation reads back; new data goes under the new key
        try (RunningPlatform again = RunningPlatform.start(data, "", Map.of("CERVELLA_VAULT_PASSPHRASE", newPassphrase))) {
            assertThat(again.get("/vault/file?path=segreto.md", again.adminKey()).body()).isEqualTo("prima della rotazione\n");
            SyncDevice desktop = new SyncDevice(again, dir, "desktop");
            desktop.sync();
            desktop.write("dopo.md", "dopo la rotazione\n");
            desktop.sync();
        }
        // and the key file opens it with no passphrase at all
        String yaml = "vault:\n  unlock:\n    key_file: " + keyFile + "\n";
        try (RunningPlatform unattended = RunningPlatform.start(data, yaml)) {
            assertThat(unattended.get("/vault/file?path=dopo.md", unattended.adminKey()).body()).isEqualTo("dopo la rotazione\n");
            assertThat(RunningPlatform.json(unattended.post("/vault/check", unattended.adminKey(), "{}")).path("clean").asBoolean()).isTrue();
        }
    }
}
