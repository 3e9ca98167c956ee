package io.cervella.inference.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.core.chat.ChatAnswer;
import io.cervella.core.http.ApiException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the gateway's answer is read for an in-process caller: the SSE the endpoint writes, byte by byte. */
class CollectingReplyTest {
    private static final String STREAM = """
            data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

            data: {"choices":[{"index":0,"delta":{"content":"Ciao"},"finish_reason":null}]}

            data: {"choices":[{"index":0,
            data: "delta":{"content":" mondo"},"finish_reason":null}]}

            data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

            data: {"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}

            data: [DONE]
            """;

    @Test
    void piecesUsageAndFinishAreRead() throws Exception {
        List<String> pieces = new ArrayList<>();
        CollectingReply reply = new CollectingReply(pieces::add);
        reply.setHeader("X-Cervella-Backend", "gpu-1");
        OutputStream out = reply.startStream(200, "text/event-stream");
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) { // split anywhere: events are put together again
            out.write(b);
        }
        ChatAnswer a = reply.answer("baby");
        assertThat(pieces).containsExactly("Ciao", " mondo");
        assertThat(a.content()).isEqualTo("Ciao mondo");
        assertThat(a.finishReason()).isEqualTo("stop");
        assertThat(a.promptTokens()).isEqualTo(7);
        assertThat(a.completionTokens()).isEqualTo(2);
        assertThat(a.backend()).isEqualTo("gpu-1");
        assertThat(reply.isCommitted()).isTrue();
    }

    @Test
    void anErrorEventOrACutStreamIsAnError() throws Exception {
        CollectingReply broken = new CollectingReply(p -> {});
        broken.startStream(200, "text/event-stream").write(("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
                + "data: {\"error\":{\"message\":\"gone\",\"code\":\"backend_failed_mid_stream\"}}\n\n").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> broken.answer("baby")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(502));
        CollectingReply cut = new CollectingReply(p -> {});
        cut.startStream(200, "text/event-stream").write("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> cut.answer("baby")).hasMessageContaining("ended before");
        CollectingReply refused = new CollectingReply(p -> {});
        refused.send(400, "application/json", "{\"error\":{\"message\":\"temperature must be in [0, 2]\"}}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> refused.answer("baby")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).contains("temperature must be in [0, 2]");
        });
    }

    @Test
    void aCallerThatStopsReadingLooksLikeAClientGoneAndABugStaysABug() {
        CollectingReply gone = new CollectingReply(p -> {
            throw new UncheckedIOException(new IOException("broken pipe"));
        });
        assertThatThrownBy(() -> gone.startStream(200, "text/event-stream")
                .write("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);
        CollectingReply bug = new CollectingReply(p -> {
            throw new IllegalStateException("listener bug");
        });
        assertThatThrownBy(() -> bug.startStream(200, "text/event-stream")
                .write("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalStateException.class);
    }
}
