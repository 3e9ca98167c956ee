package io.cervella.app.server;

import java.util.concurrent.Executors;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The listener's thread pool: platform threads for Jetty's selectors and non-blocking work, virtual
 * threads for handlers that block. One change to Jetty's defaults: when an HTTP/1.1 response completes
 * on a thread other than the one that read its request — a proxied answer relayed by the edge's
 * upstream client — Jetty "resumes" the connection by handing it to a pool thread, which then only
 * finds that the next request has not arrived yet and asks the selector to watch for it. Here the
 * completing thread does that itself: one thread wake-up less per proxied request, about a sixth of
 * the proxy's CPU in the edge benchmark (docs/benchmarks.md). Virtual threads still hand off: one may
 * be the thread Jetty reads an HTTP/2 connection's frames on, and reading there could stall it; and
 * only while the server's handlers are all non-blocking (the edge's are: they move blocking steps to
 * virtual threads), and only when no next request is buffered already: a client that pipelines many
 * would otherwise have them all handled on the relaying thread, holding up other clients' answers.
 */
final class ServerThreads extends QueuedThreadPool {
    ServerThreads() {
        setName("cervella-http");
        setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
    }

    @Override
    public void execute(Runnable task) {
        if (task instanceof HttpConnection connection && !Thread.currentThread().isVirtual()
                && connection.isRequestBufferEmpty()
                && connection.getServer().getInvocationType() == Invocable.InvocationType.NON_BLOCKING) {
            task.run(); // reads what has arrived (usually nothing yet) and registers interest; never blocks
        } else {
            super.execute(task);
        }
    }
}
