package io.cervella.app.cli;

import io.cervella.core.http.Json;
import io.cervella.core.keys.ApiKeyRecord;
import io.cervella.core.keys.KeyRepository;
import io.cervella.core.keys.KeyService;
import io.cervella.ops.audit.AuditActions;
import io.cervella.ops.audit.AuditLog;
import io.cervella.ops.audit.AuditRecorder;
import io.cervella.core.keys.Scope;
import io.cervella.core.store.MetadataStore;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code cervella keys create|list|revoke}, on a running server or on a stopped server's data. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage API keys.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
public final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: create, list or revoke");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key; prints it once.")
    static final class Create implements Callable<Integer> {
        @Mixin ServerOptions target;
        @Spec CommandSpec spec;

        @Option(names = "--name", required = true, description = "who or what the key is for")
        String name;

        @Option(names = "--scopes", required = true, split = ",",
                description = "chat, embeddings, memory, vault, metrics, admin (comma-separated)")
        List<String> scopes;

        @Option(names = "--rpm", description = "requests per minute")
        Integer rpm;

        @Option(names = "--tpm", description = "tokens per minute")
        Integer tpm;

        @Option(names = "--budget-usd", description = "total spend allowed, in USD")
        Double budgetUsd;

        @Override
        public Integer call() {
            Set<Scope> parsed = Scope.parseList(String.join(",", scopes));
            PrintWriter out = spec.commandLine().getOut();
            if (target.remote()) {
                ObjectNode body = Json.object();
                body.put("name", name);
                body.put("scopes", Scope.format(parsed));
                if (rpm != null) body.put("rpm", rpm);
                if (tpm != null) body.put("tpm", tpm);
                if (budgetUsd != null) body.put("budget_usd", budgetUsd);
                JsonNode created = target.client().post("/admin/keys", body);
                out.println(created.path("key").asString());
            } else {
                try (MetadataStore store = LocalData.open(target.data())) {
                    KeyService keys = new KeyService(new KeyRepository(store), Clock.systemUTC());
                    KeyService.CreatedKey k = keys.create(name, parsed, rpm, tpm, budgetUsd);
                    new AuditRecorder(new AuditLog(store, Clock.systemUTC())).record(AuditActions.ACTOR_LOCAL, AuditActions.KEY_CREATE, k.record().id(),
                            java.util.Map.of("name", name, "scopes", parsed.stream().map(io.cervella.core.keys.Scope::label).sorted().toList()));
                    out.println(k.plaintext());
                }
            }
            out.flush();
            spec.commandLine().getErr().println("Store this key now: it is shown only once.");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (never their secrets).")
    static final class ListKeys implements Callable<Integer> {
        @Mixin ServerOptions target;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            Table t = new Table("ID", "NAME", "SCOPES", "RPM", "TPM", "BUDGET_USD", "CREATED", "REVOKED");
            if (target.remote()) {
                for (JsonNode k : target.client().get("/admin/keys").path("data")) {
                    List<String> s = new ArrayList<>();
                    k.path("scopes").forEach(x -> s.add(x.asString()));
                    t.add(k.path("id").asString(), k.path("name").asString(), String.join(",", s), text(k, "rpm"),
                            text(k, "tpm"), text(k, "budget_usd"), text(k, "created_at"), text(k, "revoked_at"));
                }
            } else {
                try (MetadataStore store = LocalData.open(target.data())) {
                    for (ApiKeyRecord k : new KeyService(new KeyRepository(store), Clock.systemUTC()).list()) {
                        t.add(k.id(), k.name(), Scope.format(k.scopes()), k.rpm(), k.tpm(), k.budgetUsd(), k.createdAt(),
                                k.revokedAt());
                    }
                }
            }
            t.print(spec.commandLine().getOut());
            return 0;
        }

        private static String text(JsonNode k, String field) {
            JsonNode v = k.path(field);
            return v.isNull() || v.isMissingNode() ? null : v.asString();
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key by id or name.")
    static final class Revoke implements Callable<Integer> {
        @Mixin ServerOptions target;
        @Spec CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID_OR_NAME")
        String idOrName;

        @Override
        public Integer call() {
            int n;
            if (target.remote()) {
                n = target.client().delete("/admin/keys/" + java.net.URLEncoder.encode(idOrName,
                        java.nio.charset.StandardCharsets.UTF_8)).path("revoked").asInt();
            } else {
                try (MetadataStore store = LocalData.open(target.data())) {
                    n = new KeyService(new KeyRepository(store), Clock.systemUTC()).revoke(idOrName);
                    if (n > 0) {
                        new AuditRecorder(new AuditLog(store, Clock.systemUTC())).record(AuditActions.ACTOR_LOCAL, AuditActions.KEY_REVOKE, idOrName,
                                java.util.Map.of("revoked", n));
                    }
                }
                if (n == 0) {
                    throw new IllegalArgumentException("no unrevoked key with id or name '" + idOrName + "'");
                }
            }
            spec.commandLine().getOut().println("revoked " + n + " key" + (n == 1 ? "" : "s"));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
