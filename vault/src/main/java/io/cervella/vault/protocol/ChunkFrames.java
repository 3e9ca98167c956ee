package io.cervella.vault.protocol;

import io.cervella.vault.chunk.VaultChunking;
import io.cervella.core.chunk.ContentChunker;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Many chunks in one request or response body (docs/formats/vault.md, Sync protocol): each frame is
 * the chunk's SHA-256 (32 bytes), its length (uint32, big-endian, at most the chunker's largest chunk)
 * and its bytes. Batching turns thousands of small notes into a few requests.
 */
public final class ChunkFrames {
    public static final String CONTENT_TYPE = "application/vnd.cervella.chunks";

    /** A chunk on the wire: its content hash (hex) and bytes. */
    public record Frame(String hash, byte[] bytes) {}

    private ChunkFrames() {}

    public static void write(ByteArrayOutputStream out, String hash, byte[] bytes) {
        out.writeBytes(HexFormat.of().parseHex(hash));
        out.write(bytes.length >>> 24);
        out.write(bytes.length >>> 16);
        out.write(bytes.length >>> 8);
        out.write(bytes.length);
        out.writeBytes(bytes);
    }

    /** Writes a frame into {@code into} at {@code at} (room for {@link #frameSize}); returns where it ends. */
    public static int write(byte[] into, int at, String hash, byte[] chunk, int offset, int length) {
        for (int i = 0; i < 32; i++) {
            into[at + i] = (byte) (Character.digit(hash.charAt(2 * i), 16) << 4 | Character.digit(hash.charAt(2 * i + 1), 16));
        }
        at += 32;
        into[at++] = (byte) (length >>> 24);
        into[at++] = (byte) (length >>> 16);
        into[at++] = (byte) (length >>> 8);
        into[at++] = (byte) length;
        System.arraycopy(chunk, offset, into, at, length);
        return at + length;
    }

    /** The size a frame takes. */
    public static int frameSize(int chunkLength) {
        return 36 + chunkLength;
    }

    /** Reads frames to the end of the stream; a truncated or oversized frame is an error naming its place. */
    public static List<Frame> read(InputStream in) throws IOException {
        List<Frame> out = new ArrayList<>();
        DataInputStream data = new DataInputStream(in);
        byte[] hash = new byte[32];
        while (true) {
            int first = data.read();
            if (first < 0) {
                return out;
            }
            hash[0] = (byte) first;
            try {
                data.readFully(hash, 1, 31);
                int length = data.readInt();
                if (length < 0 || length > VaultChunking.SIZES.max()) {
                    throw new IOException("frame " + out.size() + ": a chunk of " + Integer.toUnsignedString(length)
                            + " bytes (at most " + VaultChunking.SIZES.max() + ")");
                }
                byte[] bytes = new byte[length];
                data.readFully(bytes);
                out.add(new Frame(HexFormat.of().formatHex(hash), bytes));
            } catch (EOFException e) {
                throw new IOException("frame " + out.size() + " is cut short", e);
            }
        }
    }
}
