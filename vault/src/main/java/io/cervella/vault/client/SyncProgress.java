package io.cervella.vault.client;

/** What a sync run tells the person watching it: phases with a byte total, and how far each got. */
public interface SyncProgress {
    SyncProgress NONE = new SyncProgress() {
        @Override
        public void phase(String name, long totalBytes, int files) {}

        @Override
        public void advance(long bytes, String item) {}
    };

    /** A phase starts ("hashing", "sending", "receiving"), with what it has to do. */
    void phase(String name, long totalBytes, int files);

    /** {@code bytes} more were done, on {@code item} (a path). */
    void advance(long bytes, String item);
}
