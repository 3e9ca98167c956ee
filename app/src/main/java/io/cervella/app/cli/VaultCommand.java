package io.cervella.app.cli;

import io.cervella.app.CervellaConfig;
import io.cervella.app.DataDirectory;
import io.cervella.app.Main;
import io.cervella.core.http.Json;
import io.cervella.core.store.MetadataStore;
import io.cervella.vault.VaultService;
import io.cervella.vault.VaultStartup;
import io.cervella.vault.api.VaultJson;
import io.cervella.vault.tree.VaultPath;
import io.cervella.vault.version.Device;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

/**
 * {@code cervella vault ls|cat|versions|restore|check|reindex}: the vault's files and their history,
 * through a running server (--server, --key) or on a stopped server's data (--data, unlocked by the
 * same secret the server uses, e.g. CERVELLA_VAULT_PASSPHRASE).
 */
@Command(name = "vault", mixinStandardHelpOptions = true, description = "The vault: files, versions, restore, check.",
        subcommands = {VaultCommand.Ls.class, VaultCommand.Cat.class, VaultCommand.Versions.class, VaultCommand.Restore.class,
            VaultCommand.Check.class, VaultCommand.Prune.class, VaultCommand.Reindex.class,
            VaultCommand.Passphrase.class, VaultCommand.RotateKeys.class, VaultCommand.AddKeyFile.class})
public final class VaultCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required (ls, cat, versions, restore, check, prune, reindex, passphrase, rotate-keys, add-key-file)");
    }

    /** What every subcommand shares: where the vault is, and running against it. */
    abstract static class VaultTask implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Mixin ServerOptions target;

        @Option(names = "--config", description = "with --data: the server's config file (default DATA/cervella.yaml)")
        Path config;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        /** Runs with the vault of a stopped server's data directory. */
        <T> T local(LocalWork<T> work) throws Exception {
            return unlocked(u -> work.run(u.service()));
        }

        interface LocalWork<T> {
            T run(VaultService vault) throws Exception;
        }

        /** Runs with the vault's repository (its keys and slots) of a stopped server's data. */
        <T> T keys(KeyWork<T> work) throws Exception {
            if (target.remote()) {
                throw new IllegalArgumentException("the vault's keys are changed on a stopped server's data: pass --data, not --server");
            }
            return unlocked(u -> work.run(u.repository()));
        }

        interface KeyWork<T> {
            T run(io.cervella.vault.VaultRepository repo) throws Exception;
        }

        private interface UnlockedWork<T> {
            T run(VaultStartup.Unlocked vault) throws Exception;
        }

        /** Opens the vault as the server would (its config, the same unlock variables), runs, closes. */
        private <T> T unlocked(UnlockedWork<T> work) throws Exception {
            Path data = target.data();
            CervellaConfig cfg = CervellaConfig.load(config, data);
            try (MetadataStore store = LocalData.open(data);
                 VaultStartup vault = VaultStartup.open(cfg.vault(), new DataDirectory(data).vault(), store, System::getenv,
                         Clock.systemUTC())) {
                if (vault instanceof VaultStartup.Locked(String reason)) {
                    throw new Main.CliFailure(reason.replace("start the server", "run this"));
                }
                return work.run((VaultStartup.Unlocked) vault);
            }
        }

        static String q(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }

        static VaultPath path(String raw) {
            return VaultPath.of(raw);
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the vault's current files.")
    static final class Ls extends VaultTask {
        @Parameters(index = "0", arity = "0..1", description = "only paths starting with this")
        String prefix = "";

        @Option(names = "--deleted", description = "also files whose current version is a deletion")
        boolean deleted;

        @Override
        public Integer call() throws Exception {
            JsonNode files = target.remote()
                    ? target.client().get("/vault/files?prefix=" + q(prefix) + "&deleted=" + deleted)
                    : local(v -> VaultJson.files(v, prefix, deleted));
            Table t = new Table("PATH", "SIZE", "MODIFIED", "VERSION");
            for (JsonNode f : files.path("files")) {
                t.add(f.path("path").asString() + (f.path("deleted").asBoolean() ? " (deleted)" : ""),
                        Long.toString(f.path("size").asLong()), Instant.ofEpochMilli(f.path("mtime").asLong()).toString(),
                        Long.toString(f.path("seq").asLong()));
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "versions", mixinStandardHelpOptions = true, description = "Every version of a file, oldest first.")
    static final class Versions extends VaultTask {
        @Parameters(index = "0", description = "the file's path in the vault")
        String file;

        @Override
        public Integer call() throws Exception {
            VaultPath p = path(file);
            JsonNode versions = target.remote() ? target.client().get("/vault/versions?path=" + q(p.value()))
                    : local(v -> VaultJson.versions(v, p));
            if (versions.path("versions").isEmpty()) {
                throw new Main.CliFailure("the vault has never had '" + p + "'");
            }
            Table t = new Table("VERSION", "WHEN", "SIZE", "CONTENT");
            for (JsonNode f : versions.path("versions")) {
                t.add(Long.toString(f.path("seq").asLong()), Instant.ofEpochMilli(f.path("mtime").asLong()).toString(),
                        Long.toString(f.path("size").asLong()),
                        f.path("deleted").asBoolean() ? "deleted" : f.path("content_hash").asString().substring(0, 12));
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "cat", mixinStandardHelpOptions = true, description = "Write a file (its current or an old version) to stdout.")
    static final class Cat extends VaultTask {
        @Parameters(index = "0", description = "the file's path in the vault")
        String file;

        @Option(names = "--seq", description = "the version (see `vault versions`); default the current one")
        long seq;

        @Override
        public Integer call() throws Exception {
            VaultPath p = path(file);
            OutputStream stdout = System.out;
            if (target.remote()) {
                stdout.write(target.client().getBytes("/vault/file?path=" + q(p.value()) + (seq > 0 ? "&seq=" + seq : "")));
            } else {
                local(v -> {
                    var version = v.version(p, seq).orElseThrow(() -> new Main.CliFailure(
                            seq == 0 ? "the vault has never had '" + p + "'" : "'" + p + "' has no version " + seq));
                    if (version.version().deleted()) {
                        throw new Main.CliFailure("'" + p + "' is deleted in version " + version.seq() + "; pass --seq for an older one");
                    }
                    v.read(version.version(), stdout);
                    return null;
                });
            }
            stdout.flush();
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Make an old version of a file current again (every device gets it at its next sync).")
    static final class Restore extends VaultTask {
        @Parameters(index = "0", description = "the file's path in the vault")
        String file;

        @Option(names = "--seq", required = true, description = "the version to restore (see `vault versions`)")
        long seq;

        @Override
        public Integer call() throws Exception {
            VaultPath p = path(file);
            JsonNode r;
            if (target.remote()) {
                var body = Json.object();
                body.put("path", p.value());
                body.put("seq", seq);
                r = target.client().post("/vault/restore", body);
            } else {
                r = local(v -> {
                    if (v.version(p, seq).isEmpty()) {
                        throw new Main.CliFailure("'" + p + "' has no version " + seq);
                    }
                    return VaultJson.commitResult(v, v.restore(new Device("cli", "cli"), p, seq));
                });
            }
            out().printf("%s: version %d is current again (commit %d)%n", p, seq, r.path("seq").asLong());
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Read every blob back, verify every tag, report what is damaged or missing (exit 1 if anything is).")
    static final class Check extends VaultTask {
        @Override
        public Integer call() throws Exception {
            JsonNode r = target.remote() ? target.client().withTimeout(java.time.Duration.ofHours(2)).post("/vault/check", Json.object())
                    : local(v -> VaultJson.check(v.check()));
            r.path("problems").forEach(p -> out().println("damaged: " + p.asString()));
            out().printf("%s: %d packs, %d chunks, %d commits, %d versions read back%n",
                    r.path("clean").asBoolean() ? "clean" : r.path("problems").size() + " problems",
                    r.path("packs").asLong(), r.path("chunks").asLong(), r.path("commits").asLong(), r.path("versions").asLong());
            return r.path("clean").asBoolean() ? 0 : 1;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Drop the versions vault.retention no longer keeps, and the packs only they needed.")
    static final class Prune extends VaultTask {
        @Option(names = "--dry-run", description = "say what would go, change nothing")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            JsonNode r;
            if (target.remote()) {
                var body = Json.object();
                body.put("dry_run", dryRun);
                r = target.client().withTimeout(java.time.Duration.ofHours(2)).post("/vault/prune", body);
            } else {
                CervellaConfig cfg = CervellaConfig.load(config, target.data());
                r = local(v -> VaultJson.prune(v.prune(cfg.vault().retention().policy(), dryRun)));
            }
            out().printf("%s%d versions (%d paths forgotten), %d packs deleted (%d rewritten), %s freed%n",
                    r.path("dry_run").asBoolean() ? "would drop " : "dropped ", r.path("versions_dropped").asInt(),
                    r.path("paths_forgotten").asInt(), r.path("packs_deleted").asInt(), r.path("packs_rewritten").asInt(),
                    ProgressBar.bytes(r.path("bytes_freed").asLong()));
            return 0;
        }
    }

    @Command(name = "passphrase", mixinStandardHelpOptions = true,
            description = "Change the vault's passphrase (stopped server, --data): the current one from the server's"
                    + " unlock variable, the new one from CERVELLA_VAULT_NEW_PASSPHRASE or typed twice. No data is re-encrypted.")
    static final class Passphrase extends VaultTask {
        @Override
        public Integer call() throws Exception {
            String fresh = System.getenv("CERVELLA_VAULT_NEW_PASSPHRASE");
            if (fresh == null) {
                java.io.Console console = System.console();
                if (console == null) {
                    throw new IllegalArgumentException("set CERVELLA_VAULT_NEW_PASSPHRASE (no terminal to ask on)");
                }
                char[] a = console.readPassword("new vault passphrase: ");
                char[] b = console.readPassword("again: ");
                if (a == null || b == null || !java.util.Arrays.equals(a, b)) {
                    throw new Main.CliFailure("the two passphrases differ; nothing was changed");
                }
                fresh = new String(a);
            }
            if (fresh.length() < 12) {
                throw new IllegalArgumentException("a vault passphrase has at least 12 characters");
            }
            String newPassphrase = fresh;
            keys(repo -> repo.changeUnlock(new io.cervella.core.crypto.Unlock.Passphrase(newPassphrase)));
            out().println("passphrase changed: the old one no longer opens the vault (other key slots, such as key files, still do)");
            return 0;
        }
    }

    @Command(name = "rotate-keys", mixinStandardHelpOptions = true,
            description = "Make a new primary encryption key (stopped server, --data): new data is encrypted under it,"
                    + " existing packs stay readable and are rewritten under it by prune.")
    static final class RotateKeys extends VaultTask {
        @Override
        public Integer call() throws Exception {
            keys(repo -> {
                repo.rotateKeys();
                return null;
            });
            out().println("keys rotated: a new key bundle holds the new primary key and every old one");
            return 0;
        }
    }

    @Command(name = "add-key-file", mixinStandardHelpOptions = true,
            description = "Write a new random key to FILE (mode 0600) and let it open the vault too (stopped server, --data),"
                    + " for a server that starts unattended (vault.unlock.key_file).")
    static final class AddKeyFile extends VaultTask {
        @Parameters(index = "0", description = "the key file to write (must not exist)")
        Path file;

        @Override
        public Integer call() throws Exception {
            if (java.nio.file.Files.exists(file)) {
                throw new IllegalArgumentException(file + " exists already; nothing was changed");
            }
            byte[] key = new byte[32];
            new java.security.SecureRandom().nextBytes(key);
            String encoded = java.util.Base64.getEncoder().encodeToString(key);
            io.cervella.core.tls.PemFiles.writeSecret(file, encoded + "\n"); // first: a slot must never exist without its key
            try {
                keys(repo -> repo.addSlot(io.cervella.core.crypto.Unlock.RawKey.parse(encoded)));
            } catch (Exception | Error e) {
                java.nio.file.Files.deleteIfExists(file);
                throw e;
            }
            out().println(file + " written (0600); it opens the vault: vault.unlock.key_file: " + file.toAbsolutePath());
            return 0;
        }
    }

    @Command(name = "reindex", mixinStandardHelpOptions = true,
            description = "Rebuild the vault's database index from the manifests in its blob store (stopped server, --data).")
    static final class Reindex extends VaultTask {
        @Override
        public Integer call() throws Exception {
            if (target.remote()) {
                throw new IllegalArgumentException("reindex works on a stopped server's data: pass --data, not --server");
            }
            long commits = local(VaultService::reindex);
            out().printf("vault index rebuilt: %d commits%n", commits);
            return 0;
        }
    }
}
