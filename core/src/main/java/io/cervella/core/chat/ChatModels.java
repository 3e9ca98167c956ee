package io.cervella.core.chat;

import io.cervella.core.keys.ApiKeyRecord;
import java.io.IOException;
import java.util.Collection;
import java.util.function.Consumer;
import tools.jackson.databind.node.ObjectNode;

/**
 * The chat models of the gateway, called in-process by another layer (the memory's ask). A call is
 * one {@code /v1/chat/completions} request made with the caller's key: the same routing and failover,
 * the key's limits and budget, a row in the usage ledger. Refusals and failures are thrown as
 * {@link io.cervella.core.http.ApiException} with the status a client would have got.
 */
public interface ChatModels {
    /** The names clients may send as {@code model}. */
    Collection<String> names();

    /** How many tokens (prompt and answer together) the model takes; the config's {@code context_tokens}. */
    int contextTokens(String model);

    /**
     * Runs one chat completion, streamed: each piece of the answer's content goes to {@code onContent}
     * as it arrives. {@code request} is an OpenAI chat request ({@code model}, {@code messages}, sampling
     * fields); the gateway asks for a stream itself. An exception thrown by {@code onContent} (the
     * caller's client went away) stops the backend's work.
     */
    ChatAnswer complete(ApiKeyRecord key, ObjectNode request, Consumer<String> onContent)
            throws IOException, InterruptedException;
}
