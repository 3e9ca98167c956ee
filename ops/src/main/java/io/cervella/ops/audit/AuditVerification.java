package io.cervella.ops.audit;

/**
 * What {@link AuditLog#verify()} found: {@code ok} with the number of rows checked, or the first
 * {@code seq} that is missing or whose link or hash is wrong, and what is wrong with it.
 */
public record AuditVerification(boolean ok, long rowsChecked, Long firstBadSeq, String problem) {
    static AuditVerification good(long rows) {
        return new AuditVerification(true, rows, null, null);
    }

    static AuditVerification bad(long rows, long seq, String problem) {
        return new AuditVerification(false, rows, seq, problem);
    }
}
