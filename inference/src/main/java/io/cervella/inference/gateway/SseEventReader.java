package io.cervella.inference.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits a server-sent-events stream into events without buffering more than one event. Each event
 * keeps its raw bytes (to forward untouched) and its joined {@code data:} payload (to inspect).
 */
final class SseEventReader {
    record Event(byte[] raw, String data) {
        boolean isDone() {
            return "[DONE]".equals(data);
        }
    }

    private final InputStream in;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int limit;

    SseEventReader(InputStream in) {
        this.in = in;
    }

    /** An event larger than this is an error: a chat chunk is a few hundred bytes. */
    static final int MAX_EVENT_BYTES = 1 << 20;

    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    /** The next event, or null at the end of the stream. A stream cut inside an event throws. */
    Event next() throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream(256);
        StringBuilder data = null;
        while (true) {
            String text = readLine(raw);
            if (text == null) {
                if (raw.size() > 0) {
                    throw new IOException("stream ended inside an event");
                }
                return null;
            }
            if (text.isEmpty()) {
                if (raw.size() <= 2) {
                    raw.reset(); // stray blank line between events
                    continue;
                }
                return new Event(raw.toByteArray(), data == null ? null : data.toString());
            }
            if (text.startsWith("data:")) {
                String value = text.substring(text.length() > 5 && text.charAt(5) == ' ' ? 6 : 5);
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
        }
    }

    /** Reads one line (without its end) and appends its raw bytes, end included, to {@code raw}. */
    private String readLine(ByteArrayOutputStream raw) throws IOException {
        line.reset();
        while (true) {
            if (pos == limit) {
                limit = in.read(buf);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (line.size() == 0) {
                        return null;
                    }
                    throw new IOException("stream ended inside a line");
                }
            }
            // Copy up to the end of the line, or of what is buffered, in one go.
            int start = pos;
            while (pos < limit && buf[pos] != '\n') {
                pos++;
            }
            boolean eol = pos < limit;
            if (eol) {
                pos++;
            }
            raw.write(buf, start, pos - start);
            line.write(buf, start, pos - start);
            if (raw.size() > MAX_EVENT_BYTES) {
                throw new IOException("event larger than " + MAX_EVENT_BYTES + " bytes");
            }
            if (eol) {
                byte[] bytes = line.toByteArray();
                int end = bytes.length - 1;
                if (end > 0 && bytes[end - 1] == '\r') {
                    end--;
                }
                return new String(bytes, 0, end, StandardCharsets.UTF_8);
            }
        }
    }
}
