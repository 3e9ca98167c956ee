package io.cervella.ops.audit;

/** The actions and the actors without a key that the platform writes to the audit log. */
public final class AuditActions {
    public static final String KEY_CREATE = "key.create";
    public static final String KEY_REVOKE = "key.revoke";
    public static final String CONFIG_RELOAD = "config.reload";
    public static final String VAULT_RESTORE = "vault.restore";
    public static final String BACKUP_RESTORE = "backup.restore";

    /** A command run on a stopped server's data directory. */
    public static final String ACTOR_LOCAL = "local";
    /** A reload asked for by SIGHUP. */
    public static final String ACTOR_SIGNAL = "signal";

    private AuditActions() {}
}
