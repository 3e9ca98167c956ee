package io.cervella.app.cli;

import io.cervella.app.Main;
import io.cervella.core.tls.TlsContexts;
import io.cervella.vault.client.DeviceSync;
import io.cervella.vault.client.SyncProgress;
import io.cervella.vault.client.SyncReport;
import io.cervella.vault.client.SyncWatcher;
import io.cervella.vault.client.VaultClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code cervella sync DIR --server URL --key KEY [--watch]}: two-way sync of a folder with the vault.
 * Exit codes: 0 synced, 1 failed (the message says why), 3 conflicts were found (both sides kept).
 */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Sync a folder with the vault, both ways (a .cervellaignore file leaves files out).")
public final class SyncCommand implements Callable<Integer> {
    public static final int EXIT_CONFLICTS = 3;

    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "the folder")
    Path folder;

    @Mixin ServerOptions target;

    @Option(names = "--watch", description = "keep syncing as files change here or in the vault (Ctrl-C stops)")
    boolean watch;

    @Option(names = "--allow-mass-delete", description = "send the deletion of more than half of the folder's files")
    boolean allowMassDelete;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException(folder + ": no such folder");
        }
        if (target.data != null) {
            throw new IllegalArgumentException("--data is not for sync: a device syncs through a running server (--server, --key)");
        }
        if (target.server() == null || target.key() == null) {
            throw new IllegalArgumentException("--server and --key (or CERVELLA_SERVER and CERVELLA_KEY) are required:"
                    + " a device syncs through a running server with its own key (cervella keys create --name laptop --scopes vault)");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (VaultClient client = new VaultClient(target.server(), target.key(),
                target.cacert() == null ? null : TlsContexts.clientTrusting(target.cacert()))) {
            DeviceSync sync = new DeviceSync(folder, client, watch ? SyncProgress.NONE : new ProgressBar(err, "sync"), allowMassDelete);
            if (!watch) {
                SyncReport r;
                try {
                    r = sync.run();
                } catch (IOException e) {
                    throw new Main.CliFailure(e.getMessage());
                }
                print(out, r);
                return r.conflicts().isEmpty() ? 0 : EXIT_CONFLICTS;
            }
            DateTimeFormatter clock = DateTimeFormatter.ofPattern("HH:mm:ss");
            try (SyncWatcher watcher = new SyncWatcher(sync, client, Duration.ofMillis(100))) {
                out.println("watching " + sync.root() + " (Ctrl-C stops)");
                watcher.run(r -> {
                    if (!r.nothingToDo() || !r.skipped().isEmpty()) {
                        out.print(LocalTime.now().format(clock) + " ");
                        print(out, r);
                    }
                }, e -> err.println(LocalTime.now().format(clock) + " cervella sync: " + e.getMessage()));
            }
        }
        return 0;
    }

    private static void print(PrintWriter out, SyncReport r) {
        r.skipped().forEach(s -> out.println("skipped " + s));
        r.conflicts().forEach(c -> out.println("conflict " + c));
        out.printf("synced: %d sent (%s), %d received (%s), %d conflicts, at commit %d%n", r.sent(), ProgressBar.bytes(r.bytesSent()),
                r.received(), ProgressBar.bytes(r.bytesReceived()), r.conflicts().size(), r.seq());
        out.flush();
    }

}
