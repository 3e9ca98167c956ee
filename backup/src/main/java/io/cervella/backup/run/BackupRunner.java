package io.cervella.backup.run;

import io.cervella.backup.index.BlobReader;
import io.cervella.backup.index.OrphanPacks;
import io.cervella.backup.index.RepositoryIndex;
import io.cervella.backup.lock.RepositoryLock;
import io.cervella.backup.pack.BlobId;
import io.cervella.backup.pack.BlobType;
import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.repo.RepositoryKeys;
import io.cervella.backup.snapshot.Snapshot;
import io.cervella.backup.snapshot.Snapshots;
import io.cervella.backup.source.DatabaseSource;
import io.cervella.backup.source.Source;
import io.cervella.backup.source.SourceFile;
import io.cervella.backup.tree.Tree;
import io.cervella.backup.tree.TreeEntry;
import io.cervella.core.chunk.ContentChunker;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One backup run (docs/formats/backup.md, Write order): under a shared lock, the sources listed in
 * order (the database first), their files cut into chunks, the chunks the repository lacks sealed into
 * packs, the packs written, then the index that names them, then the trees, then the snapshot. Files
 * the parent snapshot has with the same size and mtime are not read again (where the source allows).
 */
public final class BackupRunner {
    private final BackupRepository repo;
    private final String host;
    private final Progress progress;
    private final java.time.Clock clock;

    public BackupRunner(BackupRepository repo, String host, Progress progress) {
        this(repo, host, progress, java.time.Clock.systemUTC());
    }

    /** {@code clock}: a snapshot's time (the schedule reads it back after a restart). */
    public BackupRunner(BackupRepository repo, String host, Progress progress, java.time.Clock clock) {
        this.repo = repo;
        this.host = host;
        this.progress = progress;
        this.clock = clock;
    }

    public Snapshot run(List<Source> sources, List<String> tags) throws IOException, InterruptedException, RepositoryKeys.DamagedException {
        long started = clock.millis();
        try (RepositoryLock lock = RepositoryLock.acquire(repo, false, host)) {
            return runLocked(lock, sources, tags, started);
        } finally {
            for (Source s : sources) {
                s.close();
            }
        }
    }

    private Snapshot runLocked(RepositoryLock lock, List<Source> sources, List<String> tags, long started)
            throws IOException, InterruptedException, RepositoryKeys.DamagedException {
        RepositoryKeys keys = repo.keys();
        RepositoryIndex index = RepositoryIndex.load(repo);
        List<String> runPacks = new ArrayList<>();
        OrphanPacks.find(repo, index).forEach((pack, entries) -> {
            index.add(pack, entries); // a failed run's packs: reused, and indexed by this run
            runPacks.add(pack);
        });
        Snapshot parent = latest();
        Map<String, TreeEntry> before = parent == null ? Map.of() : parentFiles(parent, index);

        // listed in order, the database first: all it refers to is in the later lists
        Map<Source, List<SourceFile>> listed = new LinkedHashMap<>();
        long total = 0;
        for (Source s : sources) {
            List<SourceFile> files = s.files();
            listed.put(s, files);
            total += files.stream().mapToLong(SourceFile::size).sum();
        }

        ContentChunker chunker = new ContentChunker(keys.gearTable(), BackupRepository.CHUNKING);
        PackUploads uploads = new PackUploads(repo);
        Packer packer = new Packer(keys, uploads);
        Set<BlobId> added = new HashSet<>();
        Map<String, BlobId> trees = new LinkedHashMap<>();
        long done = 0;
        long fileCount = 0;
        long newBlobs = 0;
        long newBytes = 0;
        try {
            for (Map.Entry<Source, List<SourceFile>> e : listed.entrySet()) {
                Source source = e.getKey();
                List<TreeEntry> entries = new ArrayList<>();
                for (SourceFile f : e.getValue()) {
                    fileCount++;
                    TreeEntry was = before.get(f.path());
                    if (source.unchangedWhenSizeAndTimeMatch() && was != null && was.size() == f.size() && was.mtime() == f.mtime()
                            && was.content().stream().allMatch(index::has)) {
                        entries.add(new TreeEntry(f.path(), f.size(), f.mtime(), was.content()));
                        done += f.size();
                        progress.update(done, total, f.path());
                        continue;
                    }
                    List<BlobId> content = new ArrayList<>();
                    long size = 0;
                    try (InputStream in = f.opener().open()) {
                        ContentChunker.Reader r = chunker.reader(in, f.size());
                        for (byte[] c; (c = r.next()) != null; ) {
                            BlobId id = new BlobId(keys.blobId(c));
                            content.add(id);
                            if (!index.has(id) && added.add(id)) {
                                packer.add(BlobType.DATA, id, c);
                                newBlobs++;
                                newBytes += c.length;
                            }
                            size += c.length;
                            done += c.length;
                            progress.update(done, total, f.path());
                        }
                    }
                    entries.add(new TreeEntry(f.path(), size, f.mtime(), content));
                }
                byte[] tree = new Tree(source.name(), entries).toJson();
                BlobId treeId = new BlobId(keys.blobId(tree));
                if (!index.has(treeId) && added.add(treeId)) {
                    packer.add(BlobType.TREE, treeId, tree);
                }
                trees.put(source.name(), treeId);
            }
            packer.finish();
        } catch (Exception e) {
            // what was read so far is sealed and written all the same: the next run reuses it (orphan packs)
            try {
                packer.finish();
            } catch (Exception more) {
                if (more != e) { // the packer's own failure comes back as itself
                    e.addSuppressed(more);
                }
            }
            try {
                uploads.awaitAll(index); // no upload goes on once the lock is released
            } catch (Exception more) {
                if (more != e) {
                    e.addSuppressed(more);
                }
            }
            throw e;
        }
        runPacks.addAll(uploads.awaitAll(index));
        lock.verifyHeld();
        if (!runPacks.isEmpty()) {
            index.write(repo, runPacks, List.of()); // packs durable first, then the index that names them
        }
        DatabaseSource db = sources.stream().filter(DatabaseSource.class::isInstance).map(DatabaseSource.class::cast).findFirst().orElse(null);
        Snapshot snapshot = new Snapshot("", started, host, tags, trees, db == null ? "" : db.kind(), db == null ? 0 : db.schemaVersion(),
                new Snapshot.Summary(fileCount, total, newBlobs, newBytes, clock.millis() - started),
                parent == null ? null : parent.id());
        lock.verifyHeld();
        return Snapshots.write(repo, snapshot); // last: a snapshot exists only once all it needs does
    }

    private Snapshot latest() throws IOException, RepositoryKeys.DamagedException {
        List<Snapshot> all = Snapshots.list(repo);
        return all.isEmpty() ? null : all.getLast();
    }

    /** The parent's files by path, from the trees the index can still find. */
    private Map<String, TreeEntry> parentFiles(Snapshot parent, RepositoryIndex index) throws IOException {
        Map<String, TreeEntry> out = new HashMap<>();
        BlobReader reader = new BlobReader(repo, index);
        for (BlobId treeId : parent.trees().values()) {
            try {
                for (TreeEntry e : reader.readTree(treeId).entries()) {
                    out.put(e.path(), e);
                }
            } catch (RepositoryKeys.DamagedException | IOException e) {
                // a parent we cannot read only costs reading everything again
            }
        }
        return out;
    }

}
