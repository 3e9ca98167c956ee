package io.cervella.edge.observe;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.util.RolloverFileOutputStream;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where access-log lines go: a queue that request threads never wait on (a full queue drops the line
 * and counts it), drained by one thread that writes whatever has gathered and flushes once — one
 * write system call for many requests under load, at once when traffic is light. The file rolls over
 * daily and old ones are kept {@code retainDays}.
 */
public final class AccessLogFile extends AbstractLifeCycle implements RequestLog.Writer {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLogFile.class);

    private final String file;
    private final int retainDays;
    private static final long DRAIN_PAUSE_MS = 20;

    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(64 * 1024);
    private final LongAdder dropped = new LongAdder();
    private Thread writer;
    private OutputStream out;

    public AccessLogFile(String file, int retainDays) {
        this.file = file;
        this.retainDays = retainDays;
    }

    @Override
    public void write(String line) {
        if (!queue.offer(line)) {
            dropped.increment();
        }
    }

    /** Lines dropped because the disk could not keep up. */
    public long dropped() {
        return dropped.sum();
    }

    @Override
    protected void doStart() throws IOException {
        out = new RolloverFileOutputStream(file, true, retainDays);
        writer = Thread.ofPlatform().daemon().name("access-log").start(this::drain);
    }

    private void drain() {
        List<String> batch = new ArrayList<>(1024);
        StringBuilder text = new StringBuilder(64 * 1024);
        boolean stop = false;
        while (!stop) {
            // polled, not woken: a request thread never signals this one (a wake-up per request cost
            // the proxy a context switch each under load); a line waits at most DRAIN_PAUSE_MS
            if (queue.isEmpty()) {
                LockSupport.parkNanos(DRAIN_PAUSE_MS * 1_000_000L);
                if (Thread.interrupted()) {
                    stop = true;
                }
            }
            queue.drainTo(batch);
            text.setLength(0);
            for (String line : batch) {
                if (line == STOP) {
                    stop = true; // written what came before it
                } else {
                    text.append(line).append('\n');
                }
            }
            batch.clear();
            if (!text.isEmpty()) {
                try {
                    out.write(text.toString().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException e) {
                    LOG.warn("access log {}: {}", file, e.getMessage());
                }
            }
        }
    }

    /** Put behind the last line at stop, so that the writer writes everything before it ends. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String STOP = new String("stop"); // compared by identity: no log line is this object

    @Override
    protected void doStop() throws Exception {
        queue.put(STOP);
        LockSupport.unpark(writer);
        writer.join(5_000);
        out.close();
    }
}
