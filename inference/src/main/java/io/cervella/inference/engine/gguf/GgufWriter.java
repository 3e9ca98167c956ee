package io.cervella.inference.engine.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF v3 file (docs/formats/gguf.md): metadata with explicit value types, then tensors,
 * each aligned. The file appears under its name only when complete (written aside, then renamed).
 */
public final class GgufWriter {
    /** One metadata entry: its value type number and how to write its value. */
    private record Entry(int type, Value value) {}

    @FunctionalInterface
    private interface Value {
        void write(Out out) throws IOException;
    }

    private record Tensor(String name, long[] dims, GgmlType type, byte[] data) {}

    private final Map<String, Entry> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;

    public GgufWriter putString(String key, String value) {
        return put(key, 8, o -> o.string(value));
    }

    public GgufWriter putU32(String key, long value) {
        if (value < 0 || value > 0xffffffffL) {
            throw new IllegalArgumentException(key + ": " + value + " does not fit in u32");
        }
        if (key.equals("general.alignment")) {
            alignment = (int) value;
        }
        return put(key, 4, o -> o.u32((int) value));
    }

    public GgufWriter putI32(String key, int value) {
        return put(key, 5, o -> o.u32(value));
    }

    public GgufWriter putU64(String key, long value) {
        return put(key, 10, o -> o.u64(value));
    }

    public GgufWriter putF32(String key, float value) {
        return put(key, 6, o -> o.u32(Float.floatToRawIntBits(value)));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, 7, o -> o.u8(value ? 1 : 0));
    }

    public GgufWriter putStrings(String key, String[] values) {
        return put(key, 9, o -> {
            o.u32(8);
            o.u64(values.length);
            for (String v : values) {
                o.string(v);
            }
        });
    }

    public GgufWriter putI32s(String key, int[] values) {
        return put(key, 9, o -> {
            o.u32(5);
            o.u64(values.length);
            for (int v : values) {
                o.u32(v);
            }
        });
    }

    public GgufWriter putF32s(String key, float[] values) {
        return put(key, 9, o -> {
            o.u32(6);
            o.u64(values.length);
            for (float v : values) {
                o.u32(Float.floatToRawIntBits(v));
            }
        });
    }

    private GgufWriter put(String key, int type, Value value) {
        if (metadata.put(key, new Entry(type, value)) != null) {
            throw new IllegalArgumentException("metadata key '" + key + "' given twice");
        }
        return this;
    }

    /** Adds a tensor whose bytes are already encoded in {@code type} (see {@link Quantizer}). */
    public GgufWriter addTensor(String name, long[] dims, GgmlType type, byte[] data) {
        long elements = 1;
        for (long d : dims) {
            elements *= d;
        }
        if (type.bytesFor(elements) != data.length) {
            throw new IllegalArgumentException("tensor " + name + ": " + data.length + " bytes given, "
                    + type.bytesFor(elements) + " expected for " + elements + " " + type + " elements");
        }
        tensors.add(new Tensor(name, dims.clone(), type, data));
        return this;
    }

    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try (Out out = new Out(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
                out.u32(GgufFile.MAGIC);
                out.u32(3);
                out.u64(tensors.size());
                out.u64(metadata.size());
                for (Map.Entry<String, Entry> e : metadata.entrySet()) {
                    out.string(e.getKey());
                    out.u32(e.getValue().type());
                    e.getValue().value().write(out);
                }
                long offset = 0;
                for (Tensor t : tensors) {
                    out.string(t.name());
                    out.u32(t.dims().length);
                    for (long d : t.dims()) {
                        out.u64(d);
                    }
                    out.u32(t.type().id);
                    out.u64(offset);
                    offset = align(offset + t.data().length);
                }
                out.pad(align(out.written) - out.written);
                for (Tensor t : tensors) {
                    out.bytes(t.data());
                    out.pad(align(t.data().length) - t.data().length);
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private long align(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    /** Little-endian output that counts what it wrote. */
    private static final class Out implements AutoCloseable {
        private final OutputStream out;
        private final ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long written;

        Out(OutputStream out) {
            this.out = out;
        }

        void u8(int v) throws IOException {
            out.write(v);
            written++;
        }

        void u32(int v) throws IOException {
            buf.clear();
            buf.putInt(v);
            out.write(buf.array(), 0, 4);
            written += 4;
        }

        void u64(long v) throws IOException {
            buf.clear();
            buf.putLong(v);
            out.write(buf.array(), 0, 8);
            written += 8;
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            bytes(b);
        }

        void bytes(byte[] b) throws IOException {
            out.write(b);
            written += b.length;
        }

        void pad(long n) throws IOException {
            for (long i = 0; i < n; i++) {
                out.write(0);
            }
            written += n;
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
