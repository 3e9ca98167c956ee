package io.cervella.vault.keys;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.Key;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKey;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The vault's streaming AEAD: Tink's AES256_GCM_HKDF_1MB keyset, with one shortcut. A message that fits
 * in the first 1 MiB segment (every chunk, row and manifest but the largest) is sealed in one call, in
 * Tink's format byte for byte (docs/formats/vault.md, Keys): {@code 0x28 | salt (32) | nonce prefix (7)}
 * then AES-256-GCM under HKDF-SHA256(primary key, salt, associated data), nonce {@code prefix | 0 (4) |
 * 1}. Tink's own stream sets up a provider lookup, a cipher and a key derivation per message, which cost
 * 15 times the encryption of a 64 KiB chunk (docs/benchmarks.md); here the engines are reused. Longer
 * messages and all reading go through Tink, which reads both alike.
 */
public final class VaultAead implements StreamingAead {
    private static final int SALT = 32;
    private static final int NONCE_PREFIX = 7;
    static final int HEADER = 1 + SALT + NONCE_PREFIX;
    private static final int TAG = 16;

    private final StreamingAead tink;
    private final byte[] primaryKey; // null: the primary is not AES256_GCM_HKDF_1MB-shaped, Tink does all
    private final int firstSegmentCapacity;
    private final ConcurrentLinkedQueue<Engines> idle = new ConcurrentLinkedQueue<>();
    private final SecureRandom random = new SecureRandom();

    /** A cipher and an HMAC, reused by one sealing at a time. */
    private record Engines(Mac hmac, Cipher gcm) {}

    VaultAead(StreamingAead tink, Key primary) {
        this.tink = tink;
        if (primary instanceof AesGcmHkdfStreamingKey k && shortcutApplies(k.getParameters())) {
            this.primaryKey = k.getInitialKeyMaterial().toByteArray(InsecureSecretKeyAccess.get());
            this.firstSegmentCapacity = k.getParameters().getCiphertextSegmentSizeBytes() - HEADER - TAG;
        } else {
            this.primaryKey = null;
            this.firstSegmentCapacity = 0;
        }
    }

    private static boolean shortcutApplies(AesGcmHkdfStreamingParameters p) {
        return p.getKeySizeBytes() == 32 && p.getDerivedAesGcmKeySizeBytes() == 32
                && p.getHkdfHashType() == AesGcmHkdfStreamingParameters.HashType.SHA256;
    }

    /** Whether {@code length} bytes are sealed in one call (else Tink's stream). */
    boolean fitsOneSegment(long length) {
        // strictly below: a first segment filled exactly is the one case where Tink's writer and reader
        // could disagree on whether a segment follows, so it is left to Tink
        return primaryKey != null && length < firstSegmentCapacity;
    }

    /** The ciphertext of {@code first} then {@code rest}, bound to {@code associatedData}. */
    public byte[] seal(byte[] associatedData, byte[] first, byte[] rest) {
        long length = (long) first.length + rest.length;
        if (!fitsOneSegment(length)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, length + 256));
            try (OutputStream enc = tink.newEncryptingStream(out, associatedData)) {
                enc.write(first);
                enc.write(rest);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot encrypt: " + e.getMessage(), e);
            }
            return out.toByteArray();
        }
        byte[] out = new byte[HEADER + (int) length + TAG];
        out[0] = HEADER;
        byte[] saltAndPrefix = new byte[SALT + NONCE_PREFIX];
        random.nextBytes(saltAndPrefix);
        System.arraycopy(saltAndPrefix, 0, out, 1, saltAndPrefix.length);
        byte[] nonce = new byte[12];
        System.arraycopy(saltAndPrefix, SALT, nonce, 0, NONCE_PREFIX);
        nonce[11] = 1; // segment 0, the last one
        Engines e = idle.poll();
        try {
            if (e == null) {
                e = new Engines(Mac.getInstance("HmacSHA256"), Cipher.getInstance("AES/GCM/NoPadding"));
            }
            // HKDF-SHA256 (RFC 5869) with one block of output: extract with the salt, expand with the AD
            e.hmac.init(new SecretKeySpec(saltAndPrefix, 0, SALT, "HmacSHA256"));
            byte[] prk = e.hmac.doFinal(primaryKey);
            e.hmac.init(new SecretKeySpec(prk, "HmacSHA256"));
            e.hmac.update(associatedData);
            e.hmac.update((byte) 1);
            byte[] key = e.hmac.doFinal();
            e.gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG * 8, nonce));
            int at = HEADER + e.gcm.update(first, 0, first.length, out, HEADER);
            e.gcm.doFinal(rest, 0, rest.length, out, at);
            idle.offer(e);
            return out;
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("cannot encrypt: " + ex.getMessage(), ex);
        }
    }

    /** The ciphertext of {@code plaintext}, bound to {@code associatedData}. */
    public byte[] seal(byte[] associatedData, byte[] plaintext) {
        return seal(associatedData, new byte[0], plaintext);
    }

    /** Buffers a message until it is closed (then seals it in one call) or outgrows one segment (then Tink's stream takes it). */
    @Override
    public OutputStream newEncryptingStream(OutputStream ciphertext, byte[] associatedData) throws GeneralSecurityException, IOException {
        if (primaryKey == null) {
            return tink.newEncryptingStream(ciphertext, associatedData);
        }
        return new OutputStream() {
            private ByteArrayOutputStream buffered = new ByteArrayOutputStream();
            private OutputStream stream;
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (closed) {
                    throw new IOException("stream closed");
                }
                if (stream == null && !fitsOneSegment((long) buffered.size() + len)) {
                    try {
                        stream = tink.newEncryptingStream(ciphertext, associatedData);
                    } catch (GeneralSecurityException e) {
                        throw new IOException(e);
                    }
                    buffered.writeTo(stream);
                    buffered = null;
                }
                if (stream != null) {
                    stream.write(b, off, len);
                } else {
                    buffered.write(b, off, len);
                }
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                if (stream != null) {
                    stream.close();
                } else {
                    try (ciphertext) {
                        ciphertext.write(seal(associatedData, buffered.toByteArray()));
                    } catch (IllegalStateException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                }
            }
        };
    }

    @Override
    public WritableByteChannel newEncryptingChannel(WritableByteChannel ciphertext, byte[] associatedData)
            throws GeneralSecurityException, IOException {
        return tink.newEncryptingChannel(ciphertext, associatedData);
    }

    @Override
    public SeekableByteChannel newSeekableDecryptingChannel(SeekableByteChannel ciphertext, byte[] associatedData)
            throws GeneralSecurityException, IOException {
        return tink.newSeekableDecryptingChannel(ciphertext, associatedData);
    }

    @Override
    public ReadableByteChannel newDecryptingChannel(ReadableByteChannel ciphertext, byte[] associatedData)
            throws GeneralSecurityException, IOException {
        return tink.newDecryptingChannel(ciphertext, associatedData);
    }

    @Override
    public InputStream newDecryptingStream(InputStream ciphertext, byte[] associatedData) throws GeneralSecurityException, IOException {
        return tink.newDecryptingStream(ciphertext, associatedData);
    }
}
