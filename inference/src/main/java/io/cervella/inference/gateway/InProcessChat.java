package io.cervella.inference.gateway;

import io.cervella.core.chat.ChatAnswer;
import io.cervella.core.chat.ChatModels;
import io.cervella.core.keys.ApiKeyRecord;
import java.io.IOException;
import java.util.Collection;
import java.util.function.Consumer;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link ChatModels} for the other layers: a request goes through the same endpoint code as one from
 * an HTTP client (routing, failover, limits, ledger, metrics); only its answer is read in-process.
 */
final class InProcessChat implements ChatModels {
    private final ModelRouter router;
    private final ChatCompletionsEndpoint endpoint;

    InProcessChat(ModelRouter router, ChatCompletionsEndpoint endpoint) {
        this.router = router;
        this.endpoint = endpoint;
    }

    @Override
    public Collection<String> names() {
        return router.modelNames();
    }

    @Override
    public int contextTokens(String model) {
        return router.contextTokens(model);
    }

    @Override
    public ChatAnswer complete(ApiKeyRecord key, ObjectNode request, Consumer<String> onContent)
            throws IOException, InterruptedException {
        ObjectNode streamed = ChatCompletionsEndpoint.validate(request.deepCopy());
        streamed.put("stream", true);
        streamed.putObject("stream_options").put("include_usage", true);
        CollectingReply reply = new CollectingReply(onContent);
        try {
            endpoint.serve(key, streamed, reply);
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
        return reply.answer(streamed.get("model").asString());
    }
}
