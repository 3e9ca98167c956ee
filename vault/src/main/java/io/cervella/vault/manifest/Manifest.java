package io.cervella.vault.manifest;

import com.google.crypto.tink.StreamingAead;
import io.cervella.core.http.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A commit (docs/formats/vault.md, Manifests): the file versions one device's push made, numbered in
 * the vault's one sequence. Stored encrypted at {@code manifests/<seq as 16 hex digits>}, bound to its
 * number by the associated data, so that a manifest renamed to another number does not decrypt.
 */
public record Manifest(long seq, String device, long committedAt, List<FileVersion> files) {
    static final int FORMAT = 1;

    public Manifest {
        if (seq < 1) {
            throw new IllegalArgumentException("commits are numbered from 1");
        }
        files = List.copyOf(files);
    }

    public String blobName() {
        return blobName(seq);
    }

    public static String blobName(long seq) {
        return String.format("manifests/%016x", seq);
    }

    private static byte[] associatedData(long seq) {
        return ("cervella-vault manifest " + seq).getBytes(StandardCharsets.US_ASCII);
    }

    public byte[] encrypt(StreamingAead aead) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream enc = aead.newEncryptingStream(out, associatedData(seq))) {
            enc.write(Json.bytes(toJson()));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot encrypt manifest " + seq + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Reads manifest {@code seq}; one that does not authenticate, or does not say it is {@code seq}, is damaged. */
    public static Manifest decrypt(StreamingAead aead, long seq, byte[] blob) throws IOException {
        byte[] json;
        try (InputStream in = aead.newDecryptingStream(new ByteArrayInputStream(blob), associatedData(seq))) {
            json = in.readAllBytes();
        } catch (GeneralSecurityException | IOException e) {
            throw new IOException("manifest " + seq + " does not authenticate (damaged, or not this vault's): " + e.getMessage(), e);
        }
        Manifest m;
        try {
            m = fromJson(Json.MAPPER.readTree(json));
        } catch (RuntimeException e) {
            throw new IOException("manifest " + seq + " authenticates but does not parse: " + e.getMessage(), e);
        }
        if (m.seq() != seq) {
            throw new IOException("manifest " + seq + " says it is " + m.seq());
        }
        return m;
    }

    ObjectNode toJson() {
        ObjectNode root = Json.object();
        root.put("format", FORMAT);
        root.put("seq", seq);
        root.put("device", device);
        root.put("committed_at", committedAt);
        ArrayNode list = root.putArray("files");
        for (FileVersion f : files) {
            list.add(f.toJson());
        }
        return root;
    }

    static Manifest fromJson(JsonNode root) {
        if (root.path("format").asInt(0) != FORMAT) {
            throw new IllegalArgumentException("manifest format " + root.path("format") + " is not " + FORMAT);
        }
        List<FileVersion> files = new ArrayList<>();
        for (JsonNode o : root.path("files")) {
            files.add(FileVersion.fromJson(o));
        }
        return new Manifest(root.path("seq").asLong(), root.path("device").asString(), root.path("committed_at").asLong(), files);
    }
}
