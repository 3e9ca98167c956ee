package io.cervella.vault.config;

import io.cervella.core.config.ConfigException;

/**
 * {@code vault.store}: {@code type: local} (default; {@code path}, default DATA/vault) or {@code type: s3}
 * ({@code bucket}, {@code prefix}, {@code region}, {@code endpoint} for a non-AWS S3 such as MinIO or
 * R2, and the names of the environment variables that hold the access key and secret, never the
 * secrets themselves).
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
}
