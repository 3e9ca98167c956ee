package io.cervella.core.tls;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Runs AES-GCM (byte arrays, heap and direct buffers, as TLS, Tink and the backups call it) and SHA-256 a few
 * thousand times on small inputs, in the background, so that the JIT compiles them to their fused CPU
 * intrinsics before real traffic arrives. A cold JVM otherwise encrypts its first gigabyte at a tenth
 * of the speed or less: the compilers promote a method by its call count, and bulk transfers make few,
 * large calls (docs/benchmarks.md, Vault sync). Costs about half a second of one core.
 */
public final class CryptoWarmup {
    private static final int ROUNDS = 8_000;

    private CryptoWarmup() {}

    /** Starts the warm-up on a daemon thread; {@code extra} (the caller's own crypto paths) runs as often. */
    public static Thread start(Runnable extra) {
        return Thread.ofPlatform().daemon().name("crypto-warmup").start(() -> {
            try {
                run(extra);
            } catch (GeneralSecurityException | RuntimeException e) {
                // only speed is at stake
            }
        });
    }

    static void run(Runnable extra) throws GeneralSecurityException {
        SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
        byte[] in = new byte[4096];
        byte[] out = new byte[4096 + 16];
        ByteBuffer heapIn = ByteBuffer.allocate(4096);
        ByteBuffer heapOut = ByteBuffer.allocate(4096 + 16);
        ByteBuffer directIn = ByteBuffer.allocateDirect(4096);
        ByteBuffer directOut = ByteBuffer.allocateDirect(4096 + 16);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] iv = new byte[12];
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        for (int i = 0; i < ROUNDS; i++) {
            iv[0] = (byte) i;
            iv[1] = (byte) (i >> 8);
            iv[2] = 1;
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            c.doFinal(in, 0, in.length, out, 0);
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
            c.doFinal(out, 0, out.length, in, 0);
            iv[2] = 2;
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            heapIn.clear();
            heapOut.clear();
            c.doFinal(heapIn, heapOut);
            iv[2] = 3;
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            directIn.clear();
            directOut.clear();
            c.doFinal(directIn, directOut);
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
            directOut.flip();
            directIn.clear();
            c.doFinal(directOut, directIn);
            sha.update(in);
            if (extra != null) {
                extra.run();
            }
        }
        sha.digest();
    }
}
