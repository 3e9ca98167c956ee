package io.cervella.ops.alert;

import java.time.Duration;
import java.util.List;

/** certificate_expiring: a certificate the listener presents expires within {@code days} (or has). */
public record CertificateExpiring(double days) implements RuleCheck {
    @Override
    public List<Finding> check(RuleInputs in) {
        Duration within = Duration.ofSeconds(Math.round(days * 86_400));
        return in.facts().certificates().stream()
                .filter(c -> c.notAfter() != null && Duration.between(in.now(), c.notAfter()).compareTo(within) < 0)
                .map(c -> {
                    Duration left = Duration.between(in.now(), c.notAfter());
                    String when = left.isNegative() ? "expired on " + c.notAfter()
                            : "expires on " + c.notAfter() + ", in " + left.toDays() + " days";
                    return new Finding(c.name(), "certificate " + c.name() + " " + when);
                })
                .toList();
    }
}
