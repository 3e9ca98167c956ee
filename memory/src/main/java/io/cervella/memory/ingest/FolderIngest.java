package io.cervella.memory.ingest;

import io.cervella.memory.MemoryService;
import java.io.File;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Mirrors a folder's Markdown and text files into a collection: each file is a document whose id is
 * its path under the folder (with '/'), new and changed files are embedded (unchanged ones are skipped
 * by content hash), and documents whose file is gone leave the collection. A file that cannot be read
 * as UTF-8 text is reported and its document, if any, kept.
 */
public final class FolderIngest {
    private FolderIngest() {}

    public record Result(int files, int changed, int removed, List<String> skipped) {}

    /** Hears each file as it is done. */
    public interface Progress {
        void step(int done, int total, String id);
    }

    /** @param model the embedding model of the collection if it has to be created; null for the default */
    public static Result mirror(MemoryService memory, Path folder, String collection, String model, Progress progress)
            throws IOException {
        if (!Files.isDirectory(folder)) {
            // never read a missing folder (an unmounted disk) as an empty one: that would empty the collection
            throw new IllegalArgumentException(folder + ": no such folder");
        }
        folder = folder.toRealPath(); // a folder that is a symbolic link is walked where it points
        List<Path> files = textFiles(folder);
        if (memory.collections().stream().noneMatch(c -> c.name().equals(collection))) {
            memory.createCollection(collection, model);
        }
        Set<String> present = new HashSet<>();
        List<String> skipped = new ArrayList<>();
        int changed = 0;
        int done = 0;
        for (Path f : files) {
            String id = id(folder, f);
            present.add(id);
            try {
                String text = read(f);
                if (memory.putDocument(collection, id, text, metadata(id)).changed()) {
                    changed++;
                }
            } catch (CharacterCodingException e) {
                skipped.add(id + ": not UTF-8 text");
            } catch (IllegalArgumentException e) {
                skipped.add(id + ": " + e.getMessage());
            }
            progress.step(++done, files.size(), id);
        }
        Set<String> stored = memory.documentIds(collection);
        refuseToEmpty(folder, files.size(), stored.size());
        int removed = 0;
        for (String id : stored) {
            if (!present.contains(id)) {
                memory.deleteDocument(collection, id);
                removed++;
            }
        }
        return new Result(files.size(), changed, removed, List.copyOf(skipped));
    }

    /**
     * A folder without a single note while its collection holds some is far more often an unmounted disk
     * or a wrong path than a team that deleted everything: nothing is removed then. (Deleting the
     * collection empties it on purpose.)
     */
    public static void refuseToEmpty(Path folder, int files, int stored) {
        if (files == 0 && stored > 0) {
            throw new IllegalArgumentException(folder + " holds no Markdown or text file while the collection holds " + stored
                    + " documents; not emptying it (an unmounted disk or a wrong path?). Delete the collection to empty it.");
        }
    }

    /** A file's document id: its path under the folder, with '/'. */
    public static String id(Path folder, Path file) {
        return folder.relativize(file).toString().replace(File.separatorChar, '/');
    }

    /** The metadata a file's document gets. */
    public static Map<String, Object> metadata(String id) {
        return Map.of("path", id);
    }

    /** A note's text: UTF-8 (anything else throws), without a leading byte-order mark. */
    public static String read(Path file) throws IOException {
        String text = Files.readString(file);
        // a byte-order mark (editors on Windows) is not part of the note
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** The Markdown and text files under the folder, hidden ones left out, in path order. */
    public static List<Path> textFiles(Path folder) throws IOException {
        try (var walk = Files.walk(folder)) {
            return walk.filter(Files::isRegularFile).filter(f -> {
                String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                return !n.startsWith(".") && (n.endsWith(".md") || n.endsWith(".markdown") || n.endsWith(".txt"));
            }).sorted().toList();
        }
    }
}
