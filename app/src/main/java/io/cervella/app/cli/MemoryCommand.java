package io.cervella.app.cli;

import io.cervella.app.DataDirectory;
import io.cervella.core.store.MetadataStore;
import io.cervella.memory.MemoryService;
import io.cervella.memory.chunk.MarkdownChunker;
import io.cervella.app.CervellaConfig;
import io.cervella.memory.embedding.EmbeddingModel;
import io.cervella.memory.embedding.EmbeddingModels;
import io.cervella.memory.ingest.FolderIngest;
import io.cervella.memory.store.MemoryStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cervella memory}: work on the memory of a stopped server. */
@Command(name = "memory", mixinStandardHelpOptions = true, description = "The team's memory (collections, indexes).",
        subcommands = {MemoryCommand.Reindex.class, MemoryCommand.Ingest.class})
public final class MemoryCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (ingest, reindex)");
    }

    /** The memory of the data directory, with the embedding models of its config (loaded on first use). */
    private static MemoryService open(MetadataStore store, Path data, List<EmbeddingModel> models) {
        return new MemoryService(new MemoryStore(store), new DataDirectory(data).memory(), models,
                new MarkdownChunker(480, 80));
    }

    private static List<EmbeddingModel> models(Path configFile, Path data) {
        return EmbeddingModels.fromConfig(CervellaConfig.load(configFile, data).memory(), System::getenv);
    }

    private static void closeAll(List<EmbeddingModel> models) {
        models.forEach(EmbeddingModel::close);
    }

    /**
     * {@code cervella memory ingest DIR --collection C (--data DATA | --server URL --key K --cacert CA)}:
     * the collection mirrors the folder's Markdown and text files (id = path relative to DIR): new and
     * changed files are embedded, unchanged ones skipped (by content hash), and documents whose file is
     * gone leave the collection. On a stopped server's data, or through a running server's API.
     */
    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = "Mirror a folder of Markdown/text files into a collection (only changes are embedded).")
    static final class Ingest implements Callable<Integer> {
        @Spec CommandSpec spec;

        @picocli.CommandLine.Parameters(index = "0", description = "the folder")
        Path folder;

        @Option(names = "--collection", required = true, description = "the collection (created if missing)")
        String collection;

        @picocli.CommandLine.Mixin ServerOptions target;

        @Option(names = "--config", description = "config file with the embedding models (default DATA/cervella.yaml)")
        Path config;

        @Option(names = "--model", description = "embedding model of the collection, if it is created now")
        String model;

        @Override
        public Integer call() throws Exception {
            if (!java.nio.file.Files.isDirectory(folder)) {
                throw new IllegalArgumentException(folder + ": no such folder");
            }
            MemoryStore.checkName(collection);
            PrintWriter out = spec.commandLine().getOut();
            if (target.remote()) {
                if (config != null) {
                    throw new IllegalArgumentException("--config is for --data; a running server uses its own");
                }
                RemoteIngest.Result r = new RemoteIngest(target.client().withTimeout(java.time.Duration.ofMinutes(10))).mirror(folder, collection, model,
                        new Progress(out)::step);
                r.skipped().forEach(skipped -> out.println("skipped " + skipped));
                out.printf("%s: %d files, %d new or changed, %d unchanged, %d removed%n", collection, r.files(), r.changed(),
                        r.files() - r.changed() - r.skipped().size(), r.removed());
                return 0;
            }
            Path data = target.data();
            List<EmbeddingModel> models = models(config, data);
            try (MetadataStore store = LocalData.open(data); MemoryService memory = open(store, data, models)) {
                Progress progress = new Progress(out);
                FolderIngest.Result r = FolderIngest.mirror(memory, folder, collection, model, progress::step);
                for (String skipped : r.skipped()) {
                    out.println("skipped " + skipped);
                }
                out.printf("%s: %d files, %d new or changed, %d unchanged, %d removed%n", collection, r.files(), r.changed(),
                        r.files() - r.changed() - r.skipped().size(), r.removed());
            } finally {
                closeAll(models);
            }
            return 0;
        }
    }

    /** A progress bar on a terminal, a line every tenth elsewhere (logs, pipes). */
    private static final class Progress {
        private final PrintWriter out;
        private final boolean terminal = System.console() != null;

        Progress(PrintWriter out) {
            this.out = out;
        }

        void step(int done, int total, String item) {
            if (terminal) {
                int width = 30;
                int filled = total == 0 ? width : done * width / total;
                out.printf("\r[%s%s] %d/%d %s", "#".repeat(filled), " ".repeat(width - filled), done, total,
                        item.length() > 40 ? "..." + item.substring(item.length() - 37) : item);
                if (done == total) {
                    out.println();
                }
            } else if (total > 0 && (done * 10 / total > (done - 1) * 10 / total || done == total)) {
                out.printf("%d/%d files%n", done, total);
            }
            out.flush();
        }
    }

    /** {@code cervella memory reindex --data DIR [--collection NAME]}: rebuild indexes from the stored documents. */
    @Command(name = "reindex", mixinStandardHelpOptions = true,
            description = "Rebuild the index of one collection, or of all, from the documents in the database.")
    static final class Reindex implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--data", defaultValue = "./cervella-data", description = "data directory (default ${DEFAULT-VALUE})")
        Path data;

        @Option(names = "--collection", description = "only this collection")
        String collection;

        @Option(names = "--config", description = "config file with the embedding models (default DATA/cervella.yaml)")
        Path config;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<EmbeddingModel> models = models(config, data);
            try (MetadataStore store = LocalData.open(data); MemoryService memory = open(store, data, models)) {
                List<String> names = collection != null ? List.of(collection)
                        : memory.collections().stream().map(MemoryStore.Collection::name).toList();
                for (String name : names) {
                    int total = memory.reindex(name, done -> {
                        if (done % 50 == 0) {
                            out.printf("%s: %d documents indexed%n", name, done);
                            out.flush();
                        }
                    });
                    out.printf("%s: index rebuilt from %d documents%n", name, total);
                }
            } catch (MemoryService.NoSuchCollectionException e) {
                throw new IllegalArgumentException(e.getMessage());
            } finally {
                closeAll(models);
            }
            return 0;
        }
    }
}
