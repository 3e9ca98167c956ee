package io.cervella.app.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code cervella reload}: a running server reads its config again (as SIGHUP does) and says what it applied. */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Make a running server re-read its config: hosted apps, firewall and rate limits change without dropping connections.")
public final class ReloadCommand implements Callable<Integer> {
    @Mixin ServerOptions target;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        if (!target.remote()) {
            throw new IllegalArgumentException("reload talks to a running server: give --server URL --key KEY (or CERVELLA_SERVER, CERVELLA_KEY), or send it SIGHUP");
        }
        JsonNode r = target.client().post("/admin/reload", tools.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        var out = spec.commandLine().getOut();
        StringBuilder apps = new StringBuilder();
        r.path("apps").forEach(a -> apps.append(apps.isEmpty() ? "" : ", ").append(a.asString()));
        out.println("reloaded: " + r.path("apps").size() + " apps" + (apps.isEmpty() ? "" : " (" + apps + ")"));
        if (!r.path("applied_at_next_start").isEmpty()) {
            StringBuilder later = new StringBuilder();
            r.path("applied_at_next_start").forEach(a -> later.append(later.isEmpty() ? "" : ", ").append(a.asString()));
            out.println("changed settings that apply at the next start: " + later);
        }
        return 0;
    }
}
