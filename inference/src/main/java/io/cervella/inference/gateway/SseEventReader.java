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

    /** The next event, or null at the end of the stream. A stream cut inside an event throws. */
    Event next() throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream(256);
        StringBuilder data = null;
        while (true) {
            String line = readLine(raw);
            if (line == null) {
                if (raw.size() > 0) {
                    throw new IOException("stream ended inside an event");
                }
                return null;
            }
            if (line.isEmpty()) {
                if (raw.size() <= 2) {
                    raw.reset(); // stray blank line between events
                    continue;
                }
                return new Event(raw.toByteArray(), data == null ? null : data.toString());
            }
            if (line.startsWith("data:")) {
                String value = line.substring(line.length() > 5 && line.charAt(5) == ' ' ? 6 : 5);
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
        int start = raw.size();
        while (true) {
            if (pos == limit) {
                limit = in.read(buf);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (raw.size() == start) {
                        return null;
                    }
                    throw new IOException("stream ended inside a line");
                }
            }
            byte b = buf[pos++];
            raw.write(b);
            if (b == '\n') {
                byte[] all = raw.toByteArray();
                int end = all.length - 1;
                if (end > start && all[end - 1] == '\r') {
                    end--;
                }
                return new String(all, start, end - start, StandardCharsets.UTF_8);
            }
        }
    }
}
