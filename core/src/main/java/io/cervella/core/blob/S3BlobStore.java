package io.cervella.core.blob;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blobs as objects in an S3-compatible bucket (AWS, MinIO, Backblaze B2, R2, Garage...), under a prefix.
 * A PUT that returned is durable by S3's own contract, and objects appear whole or not at all, which
 * is what the vault's write order relies on.
 */
public final class S3BlobStore implements BlobStore {
    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    /**
     * @param endpoint null for AWS itself; otherwise the S3 API's URL (path-style addressing is used)
     * @param prefix   a folder in the bucket ("" for the bucket's root), without a leading '/'
     */
    public S3BlobStore(URI endpoint, String region, String bucket, String prefix, String accessKey, String secretKey) {
        var builder = S3Client.builder()
                .region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .httpClient(UrlConnectionHttpClient.create());
        if (endpoint != null) {
            // Other S3 implementations (B2, R2, GCS, MinIO, Ceph) may refuse the SDK's default trailing
            // CRC32 checksums (since SDK 2.30): send and check them only where the API requires. Our
            // own integrity checks stand regardless: packs are named by their SHA-256 and every blob
            // carries an AEAD tag.
            builder.endpointOverride(endpoint).forcePathStyle(true)
                    .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED);
        }
        this.s3 = builder.build();
        this.bucket = bucket;
        this.prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    }

    /**
     * Whether a failure may pass if tried again: the network (no answer, a reset, a timeout), the
     * service's own errors (5xx) and throttling (429, 503 SlowDown). Not: credentials, a missing bucket,
     * a bad request.
     */
    public static boolean isTransient(IOException e) {
        Throwable cause = e.getCause();
        if (cause instanceof S3Exception s) {
            return s.statusCode() >= 500 || s.statusCode() == 429;
        }
        return cause instanceof software.amazon.awssdk.core.exception.SdkClientException;
    }

    private String key(String name) {
        return prefix + BlobStore.checkName(name);
    }

    @Override
    public void put(String name, byte[] content) throws IOException {
        String key = key(name);
        call(() -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content)), name);
    }

    @Override
    public Optional<byte[]> get(String name) throws IOException {
        String key = key(name);
        try {
            return Optional.of(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new IOException("s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] get(String name, long offset, int length) throws IOException {
        if (offset < 0 || length <= 0) {
            throw new IOException(name + ": a range needs a non-negative offset and a positive length");
        }
        String key = key(name);
        byte[] bytes = call(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)
                .range("bytes=" + offset + "-" + (offset + length - 1))).asByteArray(), name);
        if (bytes.length != length) {
            throw new IOException(name + ": bytes " + offset + "+" + length + " lie past its end");
        }
        return bytes;
    }

    @Override
    public long size(String name) throws IOException {
        String key = key(name);
        try {
            return s3.headObject(b -> b.bucket(bucket).key(key)).contentLength();
        } catch (NoSuchKeyException e) {
            return -1;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return -1;
            }
            throw new IOException("s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> list(String namePrefix) throws IOException {
        List<String> out = new ArrayList<>();
        call(() -> {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + namePrefix)).contents()) {
                out.add(o.key().substring(prefix.length()));
            }
            return null;
        }, namePrefix + "*");
        out.sort(null);
        return out;
    }

    @Override
    public boolean delete(String name) throws IOException {
        String key = key(name);
        try {
            s3.headObject(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw new IOException("s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
        call(() -> s3.deleteObject(b -> b.bucket(bucket).key(key)), name);
        return true;
    }

    private interface Call<T> {
        T run();
    }

    private <T> T call(Call<T> call, String name) throws IOException {
        try {
            return call.run();
        } catch (SdkException e) {
            throw new IOException("s3://" + bucket + "/" + prefix + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
