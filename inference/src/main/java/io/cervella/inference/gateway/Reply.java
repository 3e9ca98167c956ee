package io.cervella.inference.gateway;

import java.io.IOException;
import java.io.OutputStream;

/** Where the gateway's answer to one request goes: an HTTP client, or a caller in the same process. */
interface Reply {
    void setHeader(String name, String value);

    /** A whole answer at once: a non-streamed completion, or the backend's own error. */
    void send(int status, String contentType, byte[] body) throws IOException;

    /** Starts a streamed answer; each write is one or more whole SSE events. */
    OutputStream startStream(int status, String contentType) throws IOException;

    boolean isCommitted();
}
