package io.cervella.ops.ui;

import io.cervella.ops.alert.AlertEngine;
import java.util.List;

/** The dashboard's alerts panel, read from the alert engine's shared state and its log. */
public final class EngineAlertFeed implements AlertFeed {
    private final AlertEngine engine;

    public EngineAlertFeed(AlertEngine engine) {
        this.engine = engine;
    }

    @Override
    public List<AlertRow> firing() {
        return engine.firing().stream()
                .map(f -> new AlertRow(f.since(), f.rule(), f.subject(), "firing", f.severity().label(), f.summary()))
                .toList();
    }

    @Override
    public List<AlertRow> recent(int limit) {
        return engine.recentLog(limit).stream()
                .map(e -> new AlertRow(e.at(), e.rule(), e.subject(), e.status().label(), e.severity().label(), e.summary()))
                .toList();
    }
}
