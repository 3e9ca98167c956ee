package io.cervella.inference.gateway;

import io.cervella.core.http.Endpoint;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code GET /v1/models}: the models of the config, in the OpenAI list shape. */
final class ModelsEndpoint implements Endpoint {
    private final ModelRouter router;
    private final long createdEpochSeconds;

    ModelsEndpoint(ModelRouter router, long createdEpochSeconds) {
        this.router = router;
        this.createdEpochSeconds = createdEpochSeconds;
    }

    @Override
    public void handle(Exchange ex) throws Exception {
        ObjectNode root = Json.object();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (String name : router.modelNames()) {
            ObjectNode m = data.addObject();
            m.put("id", name);
            m.put("object", "model");
            m.put("created", createdEpochSeconds);
            m.put("owned_by", "cervella");
        }
        ex.sendJson(200, root);
    }
}
