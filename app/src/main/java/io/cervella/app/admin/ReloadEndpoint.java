package io.cervella.app.admin;

import io.cervella.core.config.ConfigException;
import io.cervella.core.http.ApiException;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Json;
import io.cervella.core.http.Route;
import io.cervella.core.keys.Scope;
import io.cervella.edge.Edge;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * POST /admin/reload: reads the config file again and applies its edge section (apps, firewall, rate
 * limits, HSTS) without dropping a connection; a file with an error changes nothing and says why (400).
 */
public final class ReloadEndpoint {
    /** Reloads on behalf of the key id it is given (for the audit log). */
    public interface Reload {
        Edge.ReloadResult reload(String actor) throws Exception;
    }

    private final Reload reload;

    public ReloadEndpoint(Reload reload) {
        this.reload = reload;
    }

    public List<Route> routes() {
        return List.of(Route.of("POST", "/admin/reload", Scope.ADMIN, this::reload));
    }

    private void reload(Exchange ex) throws Exception {
        Edge.ReloadResult r;
        try {
            r = reload.reload(ex.key().id());
        } catch (ConfigException e) {
            throw ApiException.badRequest("invalid_config", "the config was not reloaded: " + e.getMessage());
        }
        ObjectNode body = Json.object();
        var apps = body.putArray("apps");
        r.apps().forEach(apps::add);
        var later = body.putArray("applied_at_next_start");
        r.atNextStart().forEach(later::add);
        ex.sendJson(200, body);
    }
}
