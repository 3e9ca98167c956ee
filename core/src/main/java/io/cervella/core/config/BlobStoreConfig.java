package io.cervella.core.config;

import io.cervella.core.blob.BlobStore;
import io.cervella.core.blob.LocalBlobStore;
import io.cervella.core.blob.S3BlobStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where a layer keeps blobs ({@code vault.store}, a backup target): {@code type: local} (default;
 * {@code path}, default a folder the layer names) or {@code type: s3} ({@code bucket}, {@code prefix},
 * {@code region}, {@code endpoint} for a non-AWS S3 such as MinIO, R2 or B2, and the names of the
 * environment variables that hold the access key and secret, never the secrets themselves).
 */
public record BlobStoreConfig(String type, String path, String endpoint, String region, String bucket, String prefix,
                              String accessKeyEnv, String secretKeyEnv) {
    public BlobStoreConfig {
        type = type == null ? "local" : type;
        ConfigException.check(type.equals("local") || type.equals("s3"), "type", "is local or s3, was '" + type + "'");
        region = region == null ? "us-east-1" : region;
        prefix = prefix == null ? "" : prefix;
        accessKeyEnv = accessKeyEnv == null ? "CERVELLA_S3_ACCESS_KEY" : accessKeyEnv;
        secretKeyEnv = secretKeyEnv == null ? "CERVELLA_S3_SECRET_KEY" : secretKeyEnv;
        if (type.equals("s3")) {
            ConfigException.check(bucket != null && !bucket.isBlank(), "bucket", "is required for type s3");
        }
    }

    public static BlobStoreConfig defaults() {
        return new BlobStoreConfig(null, null, null, null, null, null, null, null);
    }

    /** A local folder's config. */
    public static BlobStoreConfig folder(Path path) {
        return new BlobStoreConfig("local", path.toString(), null, null, null, null, null, null);
    }

    /** Where it is, for messages: the folder, or s3://bucket/prefix. */
    public String describe(Path defaultFolder) {
        return type.equals("s3") ? "s3://" + bucket + "/" + prefix : (path != null ? path : defaultFolder.toString());
    }

    /** Opens the store; {@code section} names the config key in errors ("vault.store"). */
    public BlobStore open(Path defaultFolder, Function<String, String> env, String section) throws IOException {
        if (type.equals("s3")) {
            String access = env.apply(accessKeyEnv);
            String secret = env.apply(secretKeyEnv);
            if (access == null || secret == null) {
                throw new ConfigException(section + ": the S3 credentials are read from " + accessKeyEnv + " and "
                        + secretKeyEnv + "; set both");
            }
            return new S3BlobStore(endpoint == null ? null : URI.create(endpoint), region, bucket, prefix, access, secret);
        }
        return new LocalBlobStore(path != null ? Path.of(path) : defaultFolder);
    }
}
