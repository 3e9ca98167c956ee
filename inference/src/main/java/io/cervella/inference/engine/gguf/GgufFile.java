package io.cervella.inference.engine.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file, memory-mapped (any size) and checked as docs/formats/gguf.md says. Metadata values are
 * Integer (u8, i8, u16, i16, i32), Long (u32, i64, u64), Float, Double, Boolean, String, or arrays:
 * int[], long[], float[], double[], boolean[], String[], Object[] (arrays of arrays).
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747;
    public static final int DEFAULT_ALIGNMENT = 32;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GgufTensor> tensors;
    private final int alignment;
    private final MemorySegment mapping;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, int version, Map<String, Object> metadata,
                     Map<String, GgufTensor> tensors, int alignment) {
        this.path = path;
        this.mapping = mapping;
        this.arena = arena;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableMap(tensors);
        this.alignment = alignment;
    }

    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return parse(path, arena, file);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static GgufFile parse(Path path, Arena arena, MemorySegment file) {
        Cursor c = new Cursor(path, file);
        int magic = c.u32("magic");
        if (magic != MAGIC) {
            throw new GgufException(path + ": not a GGUF file (magic 0x" + Integer.toHexString(magic) + ", expected 0x"
                    + Integer.toHexString(MAGIC) + ")");
        }
        int version = c.u32("version");
        if (version != 2 && version != 3) {
            throw new GgufException(path + ": GGUF version " + Integer.toUnsignedString(version)
                    + " is not supported (2 and 3 are)");
        }
        long tensorCount = c.count("tensor count", 8 + 4 + 8 + 4 + 8);
        long kvCount = c.count("metadata count", 8 + 4);

        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long at = c.pos;
            String key = c.string("metadata key #" + i);
            int type = c.u32("type of " + key);
            Object value = c.value(type, key, 0);
            if (metadata.put(key, value) != null) {
                throw c.corrupt(at, "metadata key '" + key + "' appears twice");
            }
        }
        int alignment = DEFAULT_ALIGNMENT;
        Object a = metadata.get("general.alignment");
        if (a != null) {
            if (!(a instanceof Number n) || n.longValue() <= 0 || n.longValue() > 1 << 20 || Long.bitCount(n.longValue()) != 1) {
                throw new GgufException(path + ": general.alignment must be a power of two, was " + a);
            }
            alignment = n.intValue();
        }

        record Info(String name, long[] dims, GgmlType type, long offset, long at) {}
        List<Info> infos = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            long at = c.pos;
            String name = c.string("tensor name #" + i);
            int nDims = c.u32("dimension count of " + name);
            if (nDims < 1 || nDims > 4) {
                throw c.corrupt(at, "tensor '" + name + "' has " + Integer.toUnsignedString(nDims) + " dimensions (1 to 4 allowed)");
            }
            long[] dims = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                dims[d] = c.u64("dimension " + d + " of " + name);
                if (dims[d] <= 0 || elements > Long.MAX_VALUE / dims[d]) {
                    throw c.corrupt(at, "tensor '" + name + "' has an invalid dimension " + Long.toUnsignedString(dims[d]));
                }
                elements *= dims[d];
            }
            int typeId = c.u32("type of " + name);
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) {
                throw new GgufException(path + ": tensor '" + name + "' has unknown tensor type " + typeId);
            }
            if (!type.supported()) {
                throw new GgufException(path + ": tensor '" + name + "' has tensor type " + type
                        + ", which is not supported (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
            }
            if (dims[0] % type.blockSize != 0) {
                throw c.corrupt(at, "tensor '" + name + "' rows of " + dims[0] + " are not whole " + type + " blocks");
            }
            long offset = c.u64("offset of " + name);
            if (offset % alignment != 0) {
                throw c.corrupt(at, "tensor '" + name + "' offset " + offset + " is not a multiple of " + alignment);
            }
            infos.add(new Info(name, dims, type, offset, at));
        }
        long dataStart = (c.pos + alignment - 1) / alignment * alignment;

        Map<String, GgufTensor> tensors = new LinkedHashMap<>();
        List<Info> byOffset = new ArrayList<>(infos);
        byOffset.sort(Comparator.comparingLong(Info::offset));
        long end = dataStart;
        for (Info info : byOffset) {
            long elements = 1;
            for (long d : info.dims()) {
                elements *= d;
            }
            long bytes = info.type().bytesFor(elements);
            long start = dataStart + info.offset();
            if (start < end) {
                throw new GgufException(path + ": tensor '" + info.name() + "' overlaps the tensor before it");
            }
            if (start > file.byteSize() || bytes > file.byteSize() - start) {
                throw new GgufException(path + ": truncated: tensor '" + info.name() + "' needs bytes up to "
                        + (start + bytes) + " but the file has " + file.byteSize() + " (incomplete download?)");
            }
            end = start + bytes;
        }
        for (Info info : infos) {
            long elements = 1;
            for (long d : info.dims()) {
                elements *= d;
            }
            MemorySegment data = file.asSlice(dataStart + info.offset(), info.type().bytesFor(elements));
            if (tensors.put(info.name(), new GgufTensor(info.name(), info.dims(), info.type(), info.offset(), data)) != null) {
                throw c.corrupt(info.at(), "tensor '" + info.name() + "' appears twice");
            }
        }
        return new GgufFile(path, arena, file, version, metadata, tensors, alignment);
    }

    public Path path() { return path; }

    /**
     * Reads the whole mapping into memory now, in 64 MiB steps, reporting the fraction done after each:
     * the first requests then do not wait on the disk page by page, and a terminal shows how far a
     * multi-gigabyte load has come.
     */
    public void preload(java.util.function.DoubleConsumer progress) {
        long step = 64L << 20;
        long size = mapping.byteSize();
        for (long at = 0; at < size; at += step) {
            mapping.asSlice(at, Math.min(step, size - at)).load();
            progress.accept(Math.min(size, at + step) / (double) size);
        }
    }
    public int version() { return version; }
    public int alignment() { return alignment; }
    public Map<String, Object> metadata() { return metadata; }
    public Map<String, GgufTensor> tensors() { return tensors; }

    public GgufTensor tensor(String name) {
        GgufTensor t = tensors.get(name);
        if (t == null) {
            throw new GgufException(path + ": tensor '" + name + "' is missing");
        }
        return t;
    }

    public String architecture() {
        return string("general.architecture");
    }

    public String string(String key) {
        return require(key, String.class);
    }

    public long integer(String key) {
        Object v = metadata.get(key);
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof Long l) {
            return l;
        }
        throw missing(key, "an integer", v);
    }

    public long integer(String key, long fallback) {
        return metadata.containsKey(key) ? integer(key) : fallback;
    }

    public float real(String key) {
        Object v = metadata.get(key);
        if (v instanceof Float f) {
            return f;
        }
        if (v instanceof Double d) {
            return d.floatValue();
        }
        throw missing(key, "a number", v);
    }

    public float real(String key, float fallback) {
        return metadata.containsKey(key) ? real(key) : fallback;
    }

    public <T> T require(String key, Class<T> type) {
        Object v = metadata.get(key);
        if (!type.isInstance(v)) {
            throw missing(key, type.getSimpleName(), v);
        }
        return type.cast(v);
    }

    private GgufException missing(String key, String what, Object v) {
        return new GgufException(path + ": metadata '" + key + "' " + (v == null ? "is missing" : "is not " + what
                + " (" + v.getClass().getSimpleName() + ")"));
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Reads the header with bounds checks that name what was being read. */
    private static final class Cursor {
        private final Path path;
        private final MemorySegment file;
        long pos;

        Cursor(Path path, MemorySegment file) {
            this.path = path;
            this.file = file;
        }

        private void need(long bytes, String what) {
            if (bytes < 0 || pos > file.byteSize() - bytes) {
                throw new GgufException(path + ": truncated at byte " + pos + " while reading " + what
                        + " (file size " + file.byteSize() + ")");
            }
        }

        GgufException corrupt(long at, String problem) {
            return new GgufException(path + ": corrupt at byte " + at + ": " + problem);
        }

        int u8(String what) {
            need(1, what);
            return file.get(ValueLayout.JAVA_BYTE, pos++) & 0xff;
        }

        int u16(String what) {
            need(2, what);
            int v = file.get(U16, pos) & 0xffff;
            pos += 2;
            return v;
        }

        int u32(String what) {
            need(4, what);
            int v = file.get(U32, pos);
            pos += 4;
            return v;
        }

        long u64(String what) {
            need(8, what);
            long v = file.get(U64, pos);
            pos += 8;
            return v;
        }

        /** A count of items each at least {@code minBytes} long: it must fit in what is left. */
        long count(String what, long minBytes) {
            long at = pos;
            long n = u64(what);
            if (n < 0 || n > (file.byteSize() - pos) / Math.max(1, minBytes)) {
                throw corrupt(at, what + " " + Long.toUnsignedString(n) + " cannot fit in the rest of the file (truncated or corrupt)");
            }
            return n;
        }

        String string(String what) {
            long at = pos;
            long len = u64("length of " + what);
            if (len < 0 || len > file.byteSize() - pos) {
                throw corrupt(at, what + " has length " + Long.toUnsignedString(len) + ", past the end of the file");
            }
            if (len > Integer.MAX_VALUE - 8) {
                throw corrupt(at, what + " is longer than 2 GiB");
            }
            byte[] bytes = file.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
            pos += len;
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw corrupt(at, what + " is not valid UTF-8");
            }
        }

        Object value(int type, String key, int depth) {
            return switch (type) {
                case 0 -> u8(key);
                case 1 -> (int) (byte) u8(key);
                case 2 -> u16(key);
                case 3 -> (int) (short) u16(key);
                case 4 -> Integer.toUnsignedLong(u32(key));
                case 5 -> u32(key);
                case 6 -> Float.intBitsToFloat(u32(key));
                case 7 -> {
                    int b = u8(key);
                    if (b > 1) {
                        throw corrupt(pos - 1, "boolean '" + key + "' is " + b);
                    }
                    yield b == 1;
                }
                case 8 -> string(key);
                case 9 -> array(key, depth);
                case 10, 11 -> u64(key);
                case 12 -> Double.longBitsToDouble(u64(key));
                default -> throw corrupt(pos - 4, "metadata '" + key + "' has unknown value type " + Integer.toUnsignedString(type));
            };
        }

        private Object array(String key, int depth) {
            if (depth > 8) {
                throw corrupt(pos, "arrays nested more than 8 deep in '" + key + "'");
            }
            int type = u32("element type of " + key);
            long n = count("length of array " + key, type == 7 || type == 0 || type == 1 ? 1 : type == 2 || type == 3 ? 2 : 4);
            if (n > Integer.MAX_VALUE - 8) {
                throw corrupt(pos, "array '" + key + "' is too long");
            }
            int len = (int) n;
            switch (type) {
                case 0, 1, 2, 3, 5 -> {
                    int[] out = new int[len];
                    for (int i = 0; i < len; i++) {
                        out[i] = (Integer) value(type, key, depth + 1);
                    }
                    return out;
                }
                case 4, 10, 11 -> {
                    long[] out = new long[len];
                    for (int i = 0; i < len; i++) {
                        out[i] = (Long) value(type, key, depth + 1);
                    }
                    return out;
                }
                case 6 -> {
                    need(4L * len, key);
                    float[] out = file.asSlice(pos, 4L * len).toArray(F32);
                    pos += 4L * len;
                    return out;
                }
                case 12 -> {
                    need(8L * len, key);
                    double[] out = file.asSlice(pos, 8L * len).toArray(F64);
                    pos += 8L * len;
                    return out;
                }
                case 7 -> {
                    boolean[] out = new boolean[len];
                    for (int i = 0; i < len; i++) {
                        out[i] = (Boolean) value(type, key, depth + 1);
                    }
                    return out;
                }
                case 8 -> {
                    String[] out = new String[len];
                    for (int i = 0; i < len; i++) {
                        out[i] = string(key + "[" + i + "]");
                    }
                    return out;
                }
                case 9 -> {
                    Object[] out = new Object[len];
                    for (int i = 0; i < len; i++) {
                        out[i] = array(key, depth + 1);
                    }
                    return out;
                }
                default -> throw corrupt(pos - 12, "array '" + key + "' has unknown element type " + Integer.toUnsignedString(type));
            }
        }
    }
}
