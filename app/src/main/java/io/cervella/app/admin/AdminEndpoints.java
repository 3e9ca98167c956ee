package io.cervella.app.admin;

import io.cervella.core.audit.AdminActions;
import java.util.Map;

import io.cervella.core.http.ApiException;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Json;
import io.cervella.core.http.Route;
import io.cervella.core.keys.ApiKeyRecord;
import io.cervella.core.keys.KeyService;
import io.cervella.core.keys.Scope;
import io.cervella.core.usage.UsageLedger;
import io.cervella.core.usage.UsageTraffic;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The admin API: keys, usage and the traffic the planner measures. Every route needs the admin scope. */
public final class AdminEndpoints {
    /** The window of GET /admin/usage/traffic, in days. */
    public static final int TRAFFIC_DAYS_DEFAULT = 14;
    public static final int TRAFFIC_DAYS_MAX = 90;

    private final KeyService keys;
    private final UsageLedger ledger;
    private final AdminActions audit;

    public AdminEndpoints(KeyService keys, UsageLedger ledger, AdminActions audit) {
        this.keys = keys;
        this.ledger = ledger;
        this.audit = audit;
    }

    public List<Route> routes() {
        return List.of(
                Route.of("GET", "/admin/keys", Scope.ADMIN, this::listKeys),
                Route.of("POST", "/admin/keys", Scope.ADMIN, this::createKey),
                Route.of("DELETE", "/admin/keys/{id}", Scope.ADMIN, this::revokeKey),
                Route.of("GET", "/admin/usage", Scope.ADMIN, this::usage),
                Route.of("GET", "/admin/usage/traffic", Scope.ADMIN, this::traffic));
    }

    private void listKeys(Exchange ex) throws Exception {
        ObjectNode root = Json.object();
        ArrayNode data = root.putArray("data");
        keys.list().forEach(k -> data.add(toJson(k)));
        ex.sendJson(200, root);
    }

    private void createKey(Exchange ex) throws Exception {
        JsonNode body = ex.jsonBody();
        if (!body.isObject()) {
            throw ApiException.badRequest("invalid_request", "the request body must be a JSON object");
        }
        String name = requireString(body, "name");
        Set<Scope> scopes;
        try {
            JsonNode s = body.get("scopes");
            if (s == null || s.isNull()) {
                throw ApiException.badRequest("missing_required_parameter", "'scopes' is required");
            }
            if (s.isArray() && s.valueStream().allMatch(JsonNode::isString)) {
                scopes = Scope.parseList(String.join(",", s.valueStream().map(JsonNode::asString).toList()));
            } else if (s.isString()) {
                scopes = Scope.parseList(s.asString());
            } else {
                throw ApiException.badRequest("invalid_type", "'scopes' must be an array of strings or a comma-separated string");
            }
            ApiKeyRecord created;
            KeyService.CreatedKey k = keys.create(name, scopes, optionalInt(body, "rpm"), optionalInt(body, "tpm"),
                    optionalDouble(body, "budget_usd"));
            created = k.record();
            audit.record(ex.key().id(), "key.create", created.id(), Map.of("name", created.name(),
                    "scopes", created.scopes().stream().map(Scope::label).sorted().toList()));
            ObjectNode out = toJson(created);
            out.put("key", k.plaintext());
            ex.sendJson(201, out);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_value", e.getMessage());
        }
    }

    private void revokeKey(Exchange ex) throws Exception {
        String id = ex.pathParam("id");
        if (ex.key().id().equals(id) || ex.key().name().equals(id)) {
            throw ApiException.badRequest("invalid_value", "a key cannot revoke itself");
        }
        int n = keys.revoke(id);
        if (n == 0) {
            throw ApiException.notFound("key_not_found", "no unrevoked key with id or name '" + id + "'");
        }
        audit.record(ex.key().id(), "key.revoke", id, Map.of("revoked", n));
        ObjectNode out = Json.object();
        out.put("revoked", n);
        ex.sendJson(200, out);
    }

    private void usage(Exchange ex) throws Exception {
        Instant since;
        UsageLedger.GroupBy by;
        try {
            since = Since.parse(ex.query("since").orElse("30d"), Instant.now());
            by = UsageLedger.GroupBy.valueOf(ex.query("by").orElse("key").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_value", e.getMessage().startsWith("No enum")
                    ? "'by' must be key, model or backend" : e.getMessage());
        }
        ObjectNode root = Json.object();
        root.put("since", since.toString());
        root.put("by", by.name().toLowerCase(Locale.ROOT));
        ArrayNode data = root.putArray("data");
        for (UsageLedger.Summary s : ledger.summarize(since, by)) {
            ObjectNode row = data.addObject();
            row.put("group", s.group());
            row.put("requests", s.requests());
            row.put("errors", s.errors());
            row.put("prompt_tokens", s.promptTokens());
            row.put("completion_tokens", s.completionTokens());
            row.put("cost_usd", s.costUsd());
            row.put("avg_latency_ms", s.avgLatencyMs());
            if (s.avgTtftMs() != null) {
                row.put("avg_ttft_ms", s.avgTtftMs());
            } else {
                row.putNull("avg_ttft_ms");
            }
        }
        ex.sendJson(200, root);
    }

    /**
     * One model's traffic in the last {@code days} days up to {@code now} (model null: the one with the
     * most completion tokens), as the planner's --from-usage measures it; the API and a stopped server's
     * data directory answer alike through this.
     */
    public static UsageTraffic lastDays(UsageLedger ledger, int days, String model, Instant now) {
        if (days < 1 || days > TRAFFIC_DAYS_MAX) {
            throw new IllegalArgumentException("days must be from 1 to " + TRAFFIC_DAYS_MAX + ", was " + days);
        }
        if (model != null && model.isBlank()) {
            throw new IllegalArgumentException("the model must not be empty (leave it out to measure the model with"
                    + " the most completion tokens)");
        }
        Instant to = now.truncatedTo(ChronoUnit.MILLIS); // the ledger's resolution
        return ledger.traffic(to.minus(Duration.ofDays(days)), to, model);
    }

    private void traffic(Exchange ex) throws Exception {
        String daysText = ex.query("days").orElse(String.valueOf(TRAFFIC_DAYS_DEFAULT)).trim();
        int days = daysText.matches("\\d{1,3}") ? Integer.parseInt(daysText) : -1;
        if (days < 1 || days > TRAFFIC_DAYS_MAX) {
            throw ApiException.badRequest("invalid_value", "'days' must be a whole number of days from 1 to "
                    + TRAFFIC_DAYS_MAX + ", was '" + daysText + "'");
        }
        String model = ex.query("model").orElse(null);
        if (model != null && model.isBlank()) {
            throw ApiException.badRequest("invalid_value", "'model' must not be empty (leave it out to measure the"
                    + " model with the most completion tokens)");
        }
        ex.sendJson(200, UsageTrafficJson.toJson(lastDays(ledger, days, model, Instant.now())));
    }

    static ObjectNode toJson(ApiKeyRecord k) {
        ObjectNode o = Json.object();
        o.put("id", k.id());
        o.put("name", k.name());
        ArrayNode scopes = o.putArray("scopes");
        k.scopes().stream().sorted().forEach(s -> scopes.add(s.label()));
        putNullable(o, "rpm", k.rpm());
        putNullable(o, "tpm", k.tpm());
        if (k.budgetUsd() == null) {
            o.putNull("budget_usd");
        } else {
            o.put("budget_usd", k.budgetUsd());
        }
        o.put("created_at", k.createdAt().toString());
        if (k.revokedAt() == null) {
            o.putNull("revoked_at");
        } else {
            o.put("revoked_at", k.revokedAt().toString());
        }
        return o;
    }

    private static void putNullable(ObjectNode o, String field, Integer v) {
        if (v == null) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }

    private static String requireString(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isString()) {
            throw ApiException.badRequest("invalid_type", "'" + field + "' must be a string");
        }
        return v.asString();
    }

    private static Integer optionalInt(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiException.badRequest("invalid_type", "'" + field + "' must be an integer up to " + Integer.MAX_VALUE);
        }
        return v.intValue();
    }

    private static Double optionalDouble(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw ApiException.badRequest("invalid_type", "'" + field + "' must be a number");
        }
        return v.doubleValue();
    }
}
