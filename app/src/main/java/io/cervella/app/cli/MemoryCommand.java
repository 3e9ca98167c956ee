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
        subcommands = {MemoryCommand.Reindex.class, MemoryCommand.Ingest.class})
public final class MemoryCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (ingest, reindex)");
    }

    /** The memory of the data directory, its embedding model loaded on first use. */
    private static MemoryService open(MetadataStore store, Path data, LazyEmbeddingModel model) {
        return new MemoryService(new MemoryStore(store), new DataDirectory(data).memory(), List.of(model),
                new MarkdownChunker(480, 80));
    }

    private static LazyEmbeddingModel defaultModel() {
        return new LazyEmbeddingModel(OnnxEmbeddingModel.DEFAULT_NAME,
                () -> OnnxEmbeddingModel.loadDefault(Runtime.getRuntime().availableProcessors()));
    }

    /**
     * {@code cervella memory ingest DIR --collection C --data DATA}: the collection mirrors the folder's
     * Markdown and text files (id = path relative to DIR): new and changed files are embedded, unchanged
     * ones skipped (by content hash), and documents whose file is gone leave the collection.
     */
    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = "Mirror a folder of Markdown/text files into a collection (only changes are embedded).")
    static final class Ingest implements Callable<Integer> {
        @Spec CommandSpec spec;

        @picocli.CommandLine.Parameters(index = "0", description = "the folder")
        Path folder;

        @Option(names = "--collection", required = true, description = "the collection (created if missing)")
        String collection;

        @Option(names = "--data", defaultValue = "./cervella-data", description = "data directory of a stopped server (default ${DEFAULT-VALUE})")
        Path data;

        @Override
        public Integer call() throws Exception {
            if (!java.nio.file.Files.isDirectory(folder)) {
                throw new IllegalArgumentException(folder + ": no such folder");
            }
            List<Path> files;
            try (var walk = java.nio.file.Files.walk(folder)) {
                files = walk.filter(java.nio.file.Files::isRegularFile).filter(f -> {
                    String n = f.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
                    return n.endsWith(".md") || n.endsWith(".markdown") || n.endsWith(".txt");
                }).sorted().toList();
            }
            PrintWriter out = spec.commandLine().getOut();
            try (MetadataStore store = LocalData.open(data); LazyEmbeddingModel model = defaultModel();
                 MemoryService memory = open(store, data, model)) {
                MemoryStore.checkName(collection);
                if (memory.collections().stream().noneMatch(c -> c.name().equals(collection))) {
                    memory.createCollection(collection, null);
                }
                java.util.Set<String> present = new java.util.HashSet<>();
                int changed = 0;
                Progress progress = new Progress(out, files.size());
                for (Path f : files) {
                    String id = folder.relativize(f).toString().replace(java.io.File.separatorChar, '/');
                    present.add(id);
                    String text = java.nio.file.Files.readString(f);
                    if (text.startsWith("\uFEFF")) {
                        text = text.substring(1); // a byte-order mark (editors on Windows) is not part of the note
                    }
                    if (memory.putDocument(collection, id, text, java.util.Map.of("path", id)).changed()) {
                        changed++;
                    }
                    progress.step(id);
                }
                int removed = 0;
                for (String id : memory.documentIds(collection)) {
                    if (!present.contains(id)) {
                        memory.deleteDocument(collection, id);
                        removed++;
                    }
                }
                out.printf("%s: %d files, %d new or changed, %d unchanged, %d removed%n", collection, files.size(), changed,
                        files.size() - changed, removed);
            }
            return 0;
        }
    }

    /** A progress bar on a terminal, a line every tenth elsewhere (logs, pipes). */
    private static final class Progress {
        private final PrintWriter out;
        private final int total;
        private final boolean terminal = System.console() != null;
        private int done;

        Progress(PrintWriter out, int total) {
            this.out = out;
            this.total = total;
        }

        void step(String item) {
            done++;
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

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (MetadataStore store = LocalData.open(data); LazyEmbeddingModel model = defaultModel();
                 MemoryService memory = open(store, data, model)) {
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
