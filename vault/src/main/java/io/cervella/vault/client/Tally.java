package io.cervella.vault.client;

import java.util.ArrayList;
import java.util.List;

/** The counts and lines a run gathers for its {@link SyncReport}. */
final class Tally {
    int sent;
    int received;
    long bytesSent;
    long bytesReceived;
    final List<String> conflicts = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();

    SyncReport report(long seq) {
        return new SyncReport(sent, received, bytesSent, bytesReceived, List.copyOf(conflicts), List.copyOf(skipped), seq);
    }
}
