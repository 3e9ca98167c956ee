package io.cervella.app.admin;

import io.cervella.backup.service.BackupService;
import io.cervella.backup.service.TargetStatus;
import io.cervella.core.http.ApiException;
import io.cervella.core.http.Exchange;
import io.cervella.core.http.Json;
import io.cervella.core.http.Route;
import io.cervella.core.keys.Scope;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * /admin/backups: each target's last run, last success, size, duration, next run and lateness, and the
 * restore drill's; POST /admin/backups/run {"target"} backs a target up now (in the background: 202),
 * POST /admin/backups/drill runs the drill now.
 */
public final class BackupEndpoints {
    private final BackupService backups;

    public BackupEndpoints(BackupService backups) {
        this.backups = backups;
    }

    public List<Route> routes() {
        return List.of(
                Route.of("GET", "/admin/backups", Scope.ADMIN, this::status),
                Route.of("POST", "/admin/backups/run", Scope.ADMIN, this::run),
                Route.of("POST", "/admin/backups/drill", Scope.ADMIN, this::drill));
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }

    private void status(Exchange ex) throws Exception {
        ObjectNode root = Json.object();
        var list = root.putArray("targets");
        for (TargetStatus s : backups.status()) {
            ObjectNode o = list.addObject();
            o.put("target", s.target());
            o.put("where", s.where());
            o.put("schedule", s.schedule());
            o.put("running", s.running());
            o.put("late", s.late());
            o.put("last_run", time(s.lastRun()));
            o.put("last_result", s.lastResult());
            o.put("last_error", s.lastError());
            o.put("last_success", time(s.lastSuccess()));
            o.put("last_snapshot", s.lastSnapshot());
            o.put("files", s.lastFiles());
            o.put("bytes", s.lastBytes());
            o.put("new_bytes", s.lastNewBytes());
            o.put("duration_ms", s.lastDurationMs());
            o.put("next_run", time(s.nextRun()));
        }
        ObjectNode d = root.putObject("drill");
        BackupService.DrillState drill = backups.drillStatus();
        d.put("last_run", time(drill.lastRun()));
        d.put("last_result", drill.lastResult());
        d.put("last_error", drill.lastError());
        d.put("last_success", time(drill.lastSuccess()));
        ex.sendJson(200, root);
    }

    private void run(Exchange ex) throws Exception {
        JsonNode body = ex.jsonBody();
        String target = body.path("target").asString("");
        if (backups.status().stream().noneMatch(s -> s.target().equals(target))) {
            throw ApiException.badRequest("invalid_request", "'target' must name one of backup.targets: "
                    + backups.status().stream().map(TargetStatus::target).toList());
        }
        if (backups.status().stream().anyMatch(s -> s.target().equals(target) && s.running())) {
            throw new ApiException(409, "invalid_request_error", "backup_running", "a backup to " + target + " is running already");
        }
        Thread.ofVirtual().name("backup-" + target).start(() -> {
            try {
                backups.run(target, List.of("api"), io.cervella.backup.run.Progress.NONE);
            } catch (Exception e) {
                // logged, counted, and in GET /admin/backups
            }
        });
        ObjectNode out = Json.object();
        out.put("target", target);
        out.put("status", "started");
        ex.sendJson(202, out);
    }

    private void drill(Exchange ex) throws Exception {
        ObjectNode out = Json.object();
        try {
            var r = backups.drill();
            out.put("result", "ok");
            out.put("files", r.files());
            out.put("bytes", r.bytes());
            ex.sendJson(200, out);
        } catch (Exception e) {
            out.put("result", "failed");
            out.put("error", e.getMessage());
            ex.sendJson(500, out);
        }
    }
}
