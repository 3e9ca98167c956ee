package io.cervella.app;

import io.cervella.app.cli.BackupCommand;
import io.cervella.app.cli.BenchCommand;
import io.cervella.app.cli.KeysCommand;
import io.cervella.app.cli.MemoryCommand;
import io.cervella.app.cli.ModelCommand;
import io.cervella.app.cli.PlanCommand;
import io.cervella.app.cli.RestoreCommand;
import io.cervella.app.cli.ServeCommand;
import io.cervella.app.cli.SyncCommand;
import io.cervella.app.cli.VaultCommand;
import io.cervella.app.cli.UsageCommand;
import io.cervella.app.cli.WorkerCommand;
import io.cervella.core.config.ConfigException;
import io.cervella.core.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cervella}: the one program. Exit codes: 0 ok, 1 failure, 2 bad arguments or configuration. */
@Command(name = "cervella", mixinStandardHelpOptions = true, version = "cervella 0.1.0",
        description = "Self-hosted infrastructure for AI agent teams.",
        subcommands = {ServeCommand.class, KeysCommand.class, UsageCommand.class, ModelCommand.class, WorkerCommand.class,
            MemoryCommand.class, SyncCommand.class, VaultCommand.class, BackupCommand.class, RestoreCommand.class,
            io.cervella.app.cli.ReloadCommand.class, BenchCommand.class, PlanCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (serve, worker, keys, usage, model, memory, sync, vault, backup, restore, reload, bench, plan)");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs one command with its output going to {@code out} and its messages to {@code err}. */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException || e instanceof IllegalArgumentException) {
                commandLine.getErr().println("cervella: " + e.getMessage());
                return EXIT_USAGE;
            }
            if (e instanceof StoreException || e instanceof CliFailure) {
                commandLine.getErr().println("cervella: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli.execute(args);
    }

    /** A failure to report to the user as one line, without a stack trace. */
    public static final class CliFailure extends RuntimeException {
        public CliFailure(String message) {
            super(message);
        }
    }
}
