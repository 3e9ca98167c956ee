package io.cervella.vault.client;

import java.util.List;

/**
 * What one sync run did.
 *
 * @param sent      files whose new content or deletion the vault took from this device
 * @param received  files written or deleted here because of other devices' changes
 * @param bytesSent chunk bytes uploaded (what the vault did not have yet)
 * @param bytesReceived chunk bytes downloaded
 * @param conflicts one line each: what was kept where
 * @param skipped   one line each: what was not synced, and why
 * @param seq       the last commit this folder has now
 */
public record SyncReport(int sent, int received, long bytesSent, long bytesReceived, List<String> conflicts,
                         List<String> skipped, long seq) {
    public boolean nothingToDo() {
        return sent == 0 && received == 0 && conflicts.isEmpty();
    }
}
