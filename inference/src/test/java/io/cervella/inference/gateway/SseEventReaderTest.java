package io.cervella.inference.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseEventReaderTest {
    private static SseEventReader reader(String text) {
        return new SseEventReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void splitsEventsAndKeepsTheirRawBytes() throws IOException {
        String first = "data: {\"a\":1}\n\n";
        String second = ": keep-alive comment\r\nevent: x\r\ndata: line one\r\ndata: line two\r\n\r\n";
        SseEventReader r = reader(first + second + "data: [DONE]\n\n");
        SseEventReader.Event e1 = r.next();
        assertThat(new String(e1.raw(), StandardCharsets.UTF_8)).isEqualTo(first);
        assertThat(e1.data()).isEqualTo("{\"a\":1}");
        SseEventReader.Event e2 = r.next();
        assertThat(new String(e2.raw(), StandardCharsets.UTF_8)).isEqualTo(second);
        assertThat(e2.data()).isEqualTo("line one\nline two");
        assertThat(r.next().isDone()).isTrue();
        assertThat(r.next()).isNull();
    }

    @Test
    void readsEventsThatArriveOneByteAtATime() throws IOException {
        byte[] bytes = "data: é\n\ndata: two\n\n".getBytes(StandardCharsets.UTF_8);
        InputStream trickle = new InputStream() {
            int i;
            @Override public int read() { return i < bytes.length ? bytes[i++] & 0xff : -1; }
            @Override public int read(byte[] b, int off, int len) {
                if (i >= bytes.length) return -1;
                b[off] = bytes[i++];
                return 1;
            }
        };
        SseEventReader r = new SseEventReader(trickle);
        assertThat(r.next().data()).isEqualTo("é");
        assertThat(r.next().data()).isEqualTo("two");
        assertThat(r.next()).isNull();
    }

    @Test
    void anOversizedEventIsAnErrorNotAnOutOfMemory() {
        String huge = "data: " + "x".repeat(SseEventReader.MAX_EVENT_BYTES + 10) + "\n\n";
        assertThatThrownBy(() -> reader(huge).next()).isInstanceOf(IOException.class).hasMessageContaining("larger than");
    }

    @Test
    void aStreamCutInsideAnEventIsAnError() {
        SseEventReader r = reader("data: {\"a\":1}\n\ndata: {\"b\"");
        assertThatThrownBy(() -> {
            r.next();
            r.next();
        }).isInstanceOf(IOException.class);
    }
}
