package io.cervella.backup.run;

import io.cervella.backup.index.RepositoryIndex;
import io.cervella.backup.pack.PackBuilder;
import io.cervella.backup.repo.BackupRepository;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * Writes finished packs in the background, two at a time at most (so that reading, chunking and
 * sealing go on meanwhile, and memory stays bounded). Only the caller's thread touches the index: a
 * pack enters it at {@link #awaitAll()}, once it is durable.
 */
final class PackUploads {
    private final BackupRepository repo;
    private static final int IN_FLIGHT = 2;
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    private final List<PackBuilder.Pack> submitted = new ArrayList<>();
    private volatile IOException failure;

    PackUploads(BackupRepository repo) {
        this.repo = repo;
    }

    void submit(PackBuilder.Pack pack) throws IOException, InterruptedException {
        check();
        inFlight.acquire();
        submitted.add(new PackBuilder.Pack(pack.id(), null, pack.entries())); // the bytes are the writer's only
        // the thread is not kept: a finished thread still holds its task, and with it 16 MiB of pack
        Thread.ofVirtual().name("backup-pack-write").start(() -> {
            try {
                repo.store().put(pack.blobName(), pack.bytes());
            } catch (IOException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new IOException(e.getMessage(), e);
            } finally {
                inFlight.release();
            }
        });
    }

    /** Waits for every pack submitted, then records them in {@code index}; the first failure, if any, is thrown. */
    List<String> awaitAll(RepositoryIndex index) throws IOException, InterruptedException {
        inFlight.acquire(IN_FLIGHT); // every write done
        inFlight.release(IN_FLIGHT);
        check();
        List<String> ids = new ArrayList<>();
        for (PackBuilder.Pack p : submitted) {
            index.add(p.id(), p.entries());
            ids.add(p.id());
        }
        submitted.clear();
        return ids;
    }

    private void check() throws IOException {
        if (failure != null) {
            throw new IOException("a pack could not be written: " + failure.getMessage(), failure);
        }
    }
}
