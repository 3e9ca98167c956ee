package io.cervella.ops.audit;

import io.cervella.core.audit.AdminActions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the layers write to the audit log: after their action has happened, so a failure to record it
 * (a database hiccup, a refused field) must not turn a done action into an error the caller retries —
 * a second restore, a key whose secret nobody saw. It is logged (without the detail) and counted
 * ({@code cervella_audit_failures_total}) instead.
 */
public final class AuditRecorder implements AdminActions {
    private static final Logger LOG = LoggerFactory.getLogger(AuditRecorder.class);

    private final AuditLog log;
    private final AtomicLong failures = new AtomicLong();

    public AuditRecorder(AuditLog log) {
        this.log = log;
    }

    @Override
    public void record(String actor, String action, String target, Map<String, ?> detail) {
        try {
            log.append(actor, action, target, detail);
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            LOG.error("audit log: the entry for {} by {} was not written: {}", action, actor, e.getMessage());
        }
    }

    /** Entries that could not be written since start. */
    public long failures() {
        return failures.get();
    }
}
