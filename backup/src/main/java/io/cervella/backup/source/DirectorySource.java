package io.cervella.backup.source;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Files and folders of the data directory, by their paths there (config: cervella.yaml, admin.key,
 * node.token; tls: tls/). What does not exist is left out; links are never followed.
 */
public final class DirectorySource implements Source {
    private final String name;
    private final Path dataDir;
    private final List<String> paths;

    public DirectorySource(String name, Path dataDir, List<String> paths) {
        this.name = name;
        this.dataDir = dataDir;
        this.paths = List.copyOf(paths);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<SourceFile> files() throws IOException {
        List<SourceFile> out = new ArrayList<>();
        for (String p : paths) {
            Path start = dataDir.resolve(p);
            if (!Files.exists(start, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        String rel = dataDir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                        out.add(new SourceFile(rel, attrs.size(), attrs.lastModifiedTime().toMillis(), () -> Files.newInputStream(file)));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        return out;
    }
}
