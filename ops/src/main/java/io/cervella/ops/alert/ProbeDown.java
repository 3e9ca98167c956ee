package io.cervella.ops.alert;

import java.util.List;

/**
 * probe_down: an uptime probe finds its URL down. The summary names the probe, not its URL, which may
 * carry a token.
 */
public record ProbeDown() implements RuleCheck {
    @Override
    public List<Finding> check(RuleInputs in) {
        return in.probes().stream()
                .filter(p -> !p.up())
                .map(p -> new Finding(p.name(), "probe " + p.name() + " is down"
                        + (p.since() == null ? "" : " since " + p.since())
                        + (p.lastError() == null || p.lastError().isBlank() ? "" : ": " + Text.clip(p.lastError(), 300))))
                .toList();
    }
}
