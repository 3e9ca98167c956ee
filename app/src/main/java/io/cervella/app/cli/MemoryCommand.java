package io.cervella.app.cli;

import io.cervella.app.DataDirectory;
import io.cervella.core.store.MetadataStore;
import io.cervella.memory.MemoryService;
import io.cervella.memory.chunk.MarkdownChunker;
import io.cervella.memory.embedding.LazyEmbeddingModel;
import io.cervella.memory.embedding.OnnxEmbeddingModel;
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
        subcommands = {MemoryCommand.Reindex.class})
public final class MemoryCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (reindex)");
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

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (MetadataStore store = LocalData.open(data);
                 LazyEmbeddingModel model = new LazyEmbeddingModel(OnnxEmbeddingModel.DEFAULT_NAME,
                         () -> OnnxEmbeddingModel.loadDefault(Runtime.getRuntime().availableProcessors()));
                 MemoryService memory = new MemoryService(new MemoryStore(store), new DataDirectory(data).memory(),
                         List.of(model), new MarkdownChunker(480, 80))) {
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
            }
            return 0;
        }
    }
}
