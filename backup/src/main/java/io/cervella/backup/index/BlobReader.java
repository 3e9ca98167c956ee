package io.cervella.backup.index;

import io.cervella.backup.pack.BlobId;
import io.cervella.backup.pack.PackBuilder;
import io.cervella.backup.pack.PackReader;
import io.cervella.backup.repo.BackupRepository;
import io.cervella.backup.repo.RepositoryKeys;
import io.cervella.backup.tree.Tree;
import java.io.IOException;
import java.util.Arrays;

/** Reads one blob through the index: a ranged read of its pack, its tag checked, its id checked against its plaintext. */
public final class BlobReader {
    private final BackupRepository repo;
    private final RepositoryIndex index;

    public BlobReader(BackupRepository repo, RepositoryIndex index) {
        this.repo = repo;
        this.index = index;
    }

    public byte[] read(BlobId id) throws IOException, RepositoryKeys.DamagedException {
        RepositoryIndex.Location at = index.find(id).orElseThrow(() ->
                new RepositoryKeys.DamagedException("blob " + id + " is in no index (the repository is damaged; `cervella backup verify` says more)"));
        byte[] sealed;
        try {
            sealed = repo.store().get(PackBuilder.Pack.blobName(at.pack()), at.entry().offset(), at.entry().length());
        } catch (IOException e) {
            throw new IOException("pack " + at.pack().substring(0, 12) + ": " + e.getMessage(), e);
        }
        byte[] plain;
        try {
            plain = PackReader.open(repo.keys(), at.entry(), sealed, 0);
        } catch (RepositoryKeys.DamagedException e) {
            throw new RepositoryKeys.DamagedException("pack " + at.pack().substring(0, 12) + ", blob " + id + ": " + e.getMessage());
        }
        if (!Arrays.equals(repo.keys().blobId(plain), id.bytes())) {
            throw new RepositoryKeys.DamagedException("pack " + at.pack().substring(0, 12) + ", blob " + id + ": its content does not match its id");
        }
        return plain;
    }

    public Tree readTree(BlobId id) throws IOException, RepositoryKeys.DamagedException {
        return Tree.fromJson(read(id));
    }
}
