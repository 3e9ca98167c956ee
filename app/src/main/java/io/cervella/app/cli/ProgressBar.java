package io.cervella.app.cli;

import io.cervella.backup.run.Progress;
import io.cervella.vault.client.SyncProgress;
import java.io.PrintWriter;

/** A progress bar on a terminal; elsewhere (logs, pipes) a line at each tenth. For syncs and backups. */
final class ProgressBar implements SyncProgress, Progress {
    private final PrintWriter err;
    private final boolean terminal = System.console() != null;
    private String phase;
    private long total;
    private long done;
    private int shownTenth;
    private long lastDraw;

    ProgressBar(PrintWriter err, String phase) {
        this.err = err;
        this.phase = phase;
    }

    static String bytes(long n) {
        return n < 1024 ? n + " B" : n < 1 << 20 ? String.format("%.1f KiB", n / 1024.0) : String.format("%.1f MiB", n / 1048576.0);
    }

    @Override
    public void phase(String name, long totalBytes, int files) {
        phase = name + " " + files + " files";
        total = totalBytes;
        done = 0;
        shownTenth = 0;
    }

    @Override
    public void advance(long bytes, String item) {
        show(done + bytes, total, item);
    }

    @Override
    public void update(long doneBytes, long totalBytes, String current) {
        total = totalBytes;
        show(doneBytes, totalBytes, current);
    }

    private void show(long now, long of, String item) {
        done = now;
        int tenth = of == 0 ? 10 : (int) Math.min(10, done * 10 / of);
        if (terminal) {
            long t = System.nanoTime();
            if (done < of && t - lastDraw < 50_000_000L) {
                return; // 20 frames a second is plenty
            }
            lastDraw = t;
            int width = 30;
            int filled = of == 0 ? width : (int) Math.min(width, done * width / of);
            err.printf("\r%s [%s%s] %s / %s %s", phase, "#".repeat(filled), " ".repeat(width - filled), bytes(done), bytes(of),
                    item.length() > 30 ? "..." + item.substring(item.length() - 27) : item);
            if (done >= of) {
                err.println();
            }
        } else if (tenth > shownTenth) {
            shownTenth = tenth;
            err.printf("%s: %d%% (%s of %s)%n", phase, tenth * 10, bytes(done), bytes(of));
        }
        err.flush();
    }
}
