package io.cervella.ops.alert;

/** A condition a rule finds true now: which rule, about what (a backend, a target, a host...), and why. */
public record Alert(String rule, String subject, Severity severity, String summary) {
    public AlertKey key() {
        return new AlertKey(rule, subject);
    }
}
