package io.cervella.backup.pack;

/** One blob in a pack: where its ciphertext is, and how long its plaintext. */
public record PackEntry(BlobType type, BlobId id, int offset, int length, int plainLength) {}
