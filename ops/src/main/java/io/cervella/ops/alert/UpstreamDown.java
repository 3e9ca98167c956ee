package io.cervella.ops.alert;

import io.cervella.ops.facts.PlatformFacts.UpstreamFact;
import java.util.List;
import java.util.stream.Collectors;

/** upstream_down: a hosted app has no healthy upstream left, so the edge cannot serve it. */
public record UpstreamDown() implements RuleCheck {
    @Override
    public List<Finding> check(RuleInputs in) {
        return in.facts().apps().stream()
                .filter(a -> !a.upstreams().isEmpty() && !a.anyHealthy())
                .map(a -> new Finding(a.name(), "hosted app " + a.name() + " is down: none of its "
                        + a.upstreams().size() + " upstreams is healthy (" + a.upstreams().stream()
                        .map(UpstreamDown::describe).collect(Collectors.joining(", ")) + ")"))
                .toList();
    }

    private static String describe(UpstreamFact u) {
        return Text.withoutUserInfo(u.url()) + " circuit " + u.circuit();
    }
}
