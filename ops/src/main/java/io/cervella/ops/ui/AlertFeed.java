package io.cervella.ops.ui;

import java.util.List;

/** What the dashboard shows of alerts: those firing now and the latest messages. */
public interface AlertFeed {
    List<AlertRow> firing();

    List<AlertRow> recent(int limit);

    AlertFeed NONE = new AlertFeed() {
        @Override
        public List<AlertRow> firing() { return List.of(); }

        @Override
        public List<AlertRow> recent(int limit) { return List.of(); }
    };
}
