package io.cervella.vault.bench;

import io.cervella.vault.VaultRepository;
import io.cervella.core.blob.LocalBlobStore;
import io.cervella.vault.keys.Unlock;
import io.cervella.vault.pack.PackWriter;
import java.nio.file.Files;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What sealing one chunk costs (docs/benchmarks.md, Vault sync): the vault's seal (Tink's
 * AES256_GCM_HKDF_1MB streaming AEAD, one stream a chunk) against the anchor, the JDK's AES-256-GCM
 * on the same bytes, both warm. Run by scripts/bench-seal.sh.
 */
public final class SealBenchmark {
    public static void main(String[] args) throws Exception {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 65536;
        VaultRepository repo = VaultRepository.create(new LocalBlobStore(Files.createTempDirectory("seal-bench")),
                new Unlock.RawKey(new byte[32]));
        var aead = repo.keys().streamingAead();
        byte[] chunk = new byte[size];
        new Random(1).nextBytes(chunk);
        byte[] id = new byte[32];
        SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
        byte[] out = new byte[size + 16];
        int n = 2000;
        double tink = 0;
        double jdk = 0;
        for (int round = 0; round < 8; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                PackWriter.seal(aead, id, chunk);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                byte[] iv = new byte[12];
                iv[0] = (byte) i;
                iv[1] = (byte) (i >> 8);
                iv[2] = (byte) round;
                c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
                c.doFinal(chunk, 0, chunk.length, out, 0);
            }
            long t2 = System.nanoTime();
            if (round >= 4) { // the first rounds warm the JIT up
                tink += (t1 - t0) / (double) n;
                jdk += (t2 - t1) / (double) n;
            }
        }
        System.out.printf("chunk of %d bytes: vault seal (Tink streaming) %.1f us, JDK AES-256-GCM %.1f us, ratio %.1fx%n",
                size, tink / 4 / 1000, jdk / 4 / 1000, tink / jdk);
    }
}
