package io.cervella.backup.run;

import io.cervella.backup.pack.BlobId;
import io.cervella.backup.pack.BlobType;
import io.cervella.backup.pack.PackBuilder;
import io.cervella.backup.repo.RepositoryKeys;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Seals blobs into packs on a thread of its own, so that reading, chunking and hashing (the caller)
 * and sealing and packing (here) use two cores; full packs go to the uploads. A few blobs wait in
 * between at most, so memory stays bounded.
 */
final class Packer {
    private record Item(BlobType type, BlobId id, byte[] plaintext) {}

    private static final Item END = new Item(null, null, null);

    private final RepositoryKeys keys;
    private final PackUploads uploads;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(8);
    private final Map<BlobType, PackBuilder> open = new EnumMap<>(BlobType.class);
    private final Thread thread;
    private volatile Exception failure;

    Packer(RepositoryKeys keys, PackUploads uploads) {
        this.keys = keys;
        this.uploads = uploads;
        this.thread = Thread.ofPlatform().name("backup-packer").daemon().start(this::loop);
    }

    private void loop() {
        try {
            for (Item item; (item = queue.take()) != END; ) {
                PackBuilder b = open.computeIfAbsent(item.type(), t -> new PackBuilder(keys, t));
                b.add(item.id(), item.plaintext(), 0, item.plaintext().length);
                if (b.isFull()) {
                    uploads.submit(b.finish());
                    open.remove(item.type());
                }
            }
            for (PackBuilder b : open.values()) {
                if (!b.isEmpty()) {
                    uploads.submit(b.finish());
                }
            }
        } catch (Exception e) {
            failure = e;
            queue.clear(); // unblocks a caller waiting to add
        }
    }

    /** Hands a blob over to be sealed and packed. */
    void add(BlobType type, BlobId id, byte[] plaintext) throws IOException, InterruptedException {
        Item item = new Item(type, id, plaintext);
        while (!queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
            check();
        }
        check();
    }

    /** Packs what is left, waits for the thread; the first failure, if any, is thrown. */
    void finish() throws IOException, InterruptedException {
        while (thread.isAlive() && !queue.offer(END, 100, TimeUnit.MILLISECONDS)) {
            check();
        }
        thread.join();
        check();
    }

    private void check() throws IOException {
        Exception e = failure;
        if (e instanceof IOException io) {
            throw io;
        }
        if (e != null) {
            throw new IOException("packing failed: " + e.getMessage(), e);
        }
    }
}
