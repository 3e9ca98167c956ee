package io.cervella.vault.bench;

import io.cervella.vault.VaultRepository;
import io.cervella.core.blob.LocalBlobStore;
import io.cervella.core.crypto.Unlock;
import io.cervella.vault.pack.PackWriter;
import java.nio.file.Files;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What sealing one chunk costs (docs/benchmarks.md, Vault sync): the vault's seal (VaultAead: Tink's
 * AES256_GCM_HKDF_1MB format, one call a chunk) and Tink's own encrypting stream for the same format,
 * against the anchor, the JDK's AES-256-GCM on the same bytes, all warm. Run by scripts/bench-seal.sh.
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
        com.google.crypto.tink.StreamingAead tinkStream = com.google.crypto.tink.KeysetHandle
                .generateNew(com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB)
                .getPrimitive(com.google.crypto.tink.RegistryConfiguration.get(), com.google.crypto.tink.StreamingAead.class);
        int n = 2000;
        double vault = 0;
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
            for (int i = 0; i < n; i++) {
                java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream(size + 128);
                try (java.io.OutputStream enc = tinkStream.newEncryptingStream(sink, id)) {
                    enc.write(chunk);
                }
            }
            long t3 = System.nanoTime();
            if (round >= 4) { // the first rounds warm the JIT up
                vault += (t1 - t0) / (double) n;
                jdk += (t2 - t1) / (double) n;
                tink += (t3 - t2) / (double) n;
            }
        }
        System.out.printf("chunk of %d bytes: vault seal %.1f us, Tink's encrypting stream %.1f us, JDK AES-256-GCM %.1f us;"
                + " vault/JDK %.2fx, Tink stream/JDK %.1fx%n",
                size, vault / 4 / 1000, tink / 4 / 1000, jdk / 4 / 1000, vault / jdk, tink / jdk);
    }
}
