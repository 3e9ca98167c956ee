package io.cervella.ops.alert;

import java.util.List;

/**
 * The test behind one built-in rule: what is true now, one {@link Finding} per subject. A check that
 * cannot tell (the ledger did not answer) throws, and the engine then leaves that rule's alerts as
 * they were rather than resolving them.
 */
public sealed interface RuleCheck permits BackendDown, SloBurn, BudgetUse, BackupLate, BackupFailed, DiskFull,
        CertificateExpiring, UpstreamDown, ProbeDown {
    List<Finding> check(RuleInputs in);
}
