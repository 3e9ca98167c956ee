package io.cervella.inference.gateway;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;

/** Short, secret-free descriptions of upstream failures for logs, health state and client errors. */
final class Failures {
    private Failures() {}

    /** The backend did not answer in time. */
    static final class UpstreamTimeout extends IOException {
        UpstreamTimeout(String message) {
            super(message);
        }
    }

    /**
     * What a client may read about a failure: the kind of failure, never host names, addresses or
     * library messages (those go to the log and the health state, see {@link #detail}).
     */
    static String describe(Throwable e) {
        if (e instanceof UpstreamTimeout) {
            return "timed out: " + e.getMessage();
        }
        if (e instanceof SocketTimeoutException) {
            return "connect timed out";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof java.net.UnknownHostException) {
            return "host name not found";
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS failure";
        }
        return "I/O error";
    }

    /** The full description, for the operator's log: the kind, then the library's own words. */
    static String detail(Throwable e) {
        String m = e.getMessage();
        return describe(e) + " (" + e.getClass().getSimpleName() + (m == null ? "" : ": " + m) + ")";
    }
}
