package io.cervella.inference.engine.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tensors past the 2 GiB mark (a sparse file, so the test costs no disk). */
class LargeFileTest {
    @TempDir Path dir;

    @Test
    void aTensorBeyondTwoGibibytesIsMappedAndRead() throws Exception {
        long offset = 3L << 30; // 3 GiB into the data section
        ByteBuffer h = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(GgufFile.MAGIC).putInt(3).putLong(1).putLong(1);
        byte[] key = "general.architecture".getBytes(StandardCharsets.UTF_8);
        byte[] arch = "llama".getBytes(StandardCharsets.UTF_8);
        h.putLong(key.length).put(key).putInt(8).putLong(arch.length).put(arch);
        byte[] name = "far.weight".getBytes(StandardCharsets.UTF_8);
        h.putLong(name.length).put(name).putInt(1).putLong(32).putInt(GgmlType.F32.id).putLong(offset);
        long dataStart = (h.position() + 31) / 32 * 32;

        Path file = dir.resolve("large.gguf");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(h.array(), 0, h.position());
            ByteBuffer t = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 32; i++) {
                t.putFloat(i * 0.5f);
            }
            raf.seek(dataStart + offset);
            raf.write(t.array());
        }
        try (GgufFile g = GgufFile.open(file)) {
            GgufTensor far = g.tensor("far.weight");
            assertThat(far.offset()).isEqualTo(offset);
            float[] values = Dequantizer.dequantize(far);
            assertThat(values[0]).isEqualTo(0f);
            assertThat(values[31]).isEqualTo(15.5f);
        }
    }
}
