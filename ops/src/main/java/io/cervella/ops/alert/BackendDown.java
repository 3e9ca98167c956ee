package io.cervella.ops.alert;

import io.cervella.ops.facts.PlatformFacts.BackendFact;
import java.util.List;

/** backend_down: a model backend of the gateway fails its health checks. */
public record BackendDown() implements RuleCheck {
    @Override
    public List<Finding> check(RuleInputs in) {
        return in.facts().backends().stream()
                .filter(b -> !b.healthy())
                .map(b -> new Finding(b.name(), summary(b)))
                .toList();
    }

    private static String summary(BackendFact b) {
        String models = b.models().isEmpty() ? "" : " (serving " + String.join(", ", b.models()) + ")";
        String detail = b.detail() == null || b.detail().isBlank() ? "" : ": " + b.detail();
        return "model backend " + b.name() + models + " is down" + detail;
    }
}
