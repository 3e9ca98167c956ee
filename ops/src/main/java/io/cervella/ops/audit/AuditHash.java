package io.cervella.ops.audit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash that chains audit rows: lower-case hex SHA-256 over the domain label and the row's seven
 * fields, each as a 4-byte big-endian length and its bytes (docs/formats/data-directory.md, "The
 * audit log"). Lengths make the encoding unambiguous: no choice of field values can shift bytes from
 * one field into the next.
 */
final class AuditHash {
    static final String DOMAIN = "cervella-audit-v1";
    static final String FIRST_PREV = "0".repeat(64);

    private AuditHash() {}

    static String of(String prevHash, long seq, long ts, String actor, String action, String target, String detail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + detail.length());
        field(out, DOMAIN);
        field(out, prevHash);
        field(out, Long.toString(seq));
        field(out, Long.toString(ts));
        field(out, actor);
        field(out, action);
        field(out, target);
        field(out, detail);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out.toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void field(ByteArrayOutputStream out, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        int n = b.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.writeBytes(b);
    }
}
