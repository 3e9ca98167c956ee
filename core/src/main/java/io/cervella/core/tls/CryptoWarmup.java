package io.cervella.core.tls;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Runs AES-GCM and SHA-256 a few thousand times on small inputs, in the background, so that the JIT
 * compiles them to their fused CPU intrinsics before real traffic arrives. A cold JVM otherwise
 * encrypts its first gigabyte at a tenth of the speed or less: the compilers promote a method by its
 * call count, and bulk transfers make few, large calls (docs/benchmarks.md, Vault sync). Only the
 * paths the caller will run hot are warmed: compiling the others costs a second of C2 time for
 * nothing (a sync client that warmed decryption it hardly uses spent it). About half a second of one core.
 */
public final class CryptoWarmup {
    private static final int ROUNDS = 8_000;

    /** The shapes of AES-GCM a caller runs in bulk (TLS encrypts and decrypts heap ByteBuffers here). */
    public enum Use {
        ENCRYPT_ARRAYS, ENCRYPT_BUFFERS, DECRYPT_ARRAYS, DECRYPT_BUFFERS
    }

    /** A server: TLS both ways, sealing byte arrays. */
    public static final Set<Use> SERVER = EnumSet.of(Use.ENCRYPT_ARRAYS, Use.DECRYPT_BUFFERS, Use.ENCRYPT_BUFFERS);
    /** A device sending in bulk: TLS out. */
    public static final Set<Use> SENDER = EnumSet.of(Use.ENCRYPT_BUFFERS);

    private CryptoWarmup() {}

    /** Starts the warm-up on a daemon thread; {@code extra} (the caller's own crypto paths) runs as often. */
    public static Thread start(Set<Use> uses, Runnable extra) {
        Set<Use> copy = uses.isEmpty() ? EnumSet.noneOf(Use.class) : EnumSet.copyOf(uses);
        return Thread.ofPlatform().daemon().name("crypto-warmup").start(() -> {
            try {
                run(copy, extra);
            } catch (GeneralSecurityException | RuntimeException e) {
                // only speed is at stake
            }
        });
    }

    static void run(Set<Use> uses, Runnable extra) throws GeneralSecurityException {
        SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
        byte[] in = new byte[4096];
        byte[] out = new byte[4096 + 16];
        ByteBuffer heapIn = ByteBuffer.allocate(4096 + 16);
        ByteBuffer heapOut = ByteBuffer.allocate(4096 + 16);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] iv = new byte[12];
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        for (int i = 0; i < ROUNDS; i++) {
            iv[0] = (byte) i;
            iv[1] = (byte) (i >> 8);
            iv[2] = 1;
            if (uses.contains(Use.ENCRYPT_ARRAYS) || uses.contains(Use.DECRYPT_ARRAYS)) {
                c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
                c.doFinal(in, 0, in.length, out, 0);
                if (uses.contains(Use.DECRYPT_ARRAYS)) {
                    c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
                    c.doFinal(out, 0, out.length, in, 0);
                }
            }
            iv[2] = 2;
            if (uses.contains(Use.ENCRYPT_BUFFERS) || uses.contains(Use.DECRYPT_BUFFERS)) {
                // in place, as TLS 1.3 records are sealed and opened (SSLCipher: doFinal(bb.duplicate(), bb))
                c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
                heapIn.clear().limit(4096);
                ByteBuffer plain = heapIn.duplicate();
                heapIn.limit(4096 + 16);
                c.doFinal(plain, heapIn);
                if (uses.contains(Use.DECRYPT_BUFFERS)) {
                    c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
                    heapIn.flip();
                    ByteBuffer sealed = heapIn.duplicate();
                    c.doFinal(sealed, heapIn);
                }
                iv[2] = 3; // and from one buffer into another, as Tink and others do
                c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
                heapIn.clear().limit(4096);
                heapOut.clear();
                c.doFinal(heapIn, heapOut);
            }
            sha.update(in);
            if (extra != null) {
                extra.run();
            }
        }
        sha.digest();
    }
}
