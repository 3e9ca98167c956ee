package io.cervella.inference.gateway;

import io.cervella.core.http.Exchange;
import java.io.IOException;
import java.io.OutputStream;

/** The answer goes to the HTTP client of {@code /v1/chat/completions}. */
record ExchangeReply(Exchange ex) implements Reply {
    @Override
    public void setHeader(String name, String value) {
        ex.setHeader(name, value);
    }

    @Override
    public void send(int status, String contentType, byte[] body) throws IOException {
        ex.send(status, contentType, body);
    }

    @Override
    public OutputStream startStream(int status, String contentType) {
        return ex.startStream(status, contentType);
    }

    @Override
    public boolean isCommitted() {
        return ex.isCommitted();
    }
}
