package io.cervella.backup.index;

import io.cervella.backup.pack.PackEntry;
import io.cervella.backup.pack.PackReader;
import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.repo.RepositoryKeys;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Packs that are stored but in no index: what a run that crashed or failed left (docs/formats/backup.md,
 * Targets). Their headers are read, so that the next run reuses their blobs (and indexes them) instead
 * of uploading them again; prune deletes the ones nobody takes.
 */
public final class OrphanPacks {
    private OrphanPacks() {}

    /** Each orphan pack's entries; one whose header does not open is left out (prune deletes it). */
    public static Map<String, List<PackEntry>> find(BackupRepository repo, RepositoryIndex index) throws IOException {
        Map<String, List<PackEntry>> out = new LinkedHashMap<>();
        for (String name : repo.store().list("data/")) {
            String id = name.substring(name.lastIndexOf('/') + 1);
            if (index.hasPack(id)) {
                continue;
            }
            try {
                out.put(id, readEntries(repo, name));
            } catch (RepositoryKeys.DamagedException | IOException | RuntimeException e) {
                // half-written or damaged: never indexed, so nothing depends on it
            }
        }
        return out;
    }

    /** A stored pack's entries from its header, read from its tail. */
    public static List<PackEntry> readEntries(BackupRepository repo, String blobName) throws IOException, RepositoryKeys.DamagedException {
        long size = repo.store().size(blobName);
        if (size < 4 + RepositoryKeys.OVERHEAD) {
            throw new RepositoryKeys.DamagedException("too short to be a pack");
        }
        int headerLength = PackReader.headerLength(repo.store().get(blobName, size - 4, 4));
        if (headerLength < RepositoryKeys.OVERHEAD || headerLength > size - 4) {
            throw new RepositoryKeys.DamagedException("the pack's header length is out of range");
        }
        byte[] header = repo.store().get(blobName, size - 4 - headerLength, headerLength);
        return PackReader.entries(repo.keys(), header, size);
    }
}
