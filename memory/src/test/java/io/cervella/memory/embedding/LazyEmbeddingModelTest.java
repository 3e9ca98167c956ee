package io.cervella.memory.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LazyEmbeddingModelTest {
    @Test
    void loadsOnFirstUseOnlyAndOnce() {
        AtomicInteger loads = new AtomicInteger();
        try (LazyEmbeddingModel lazy = new LazyEmbeddingModel(OnnxEmbeddingModel.DEFAULT_NAME, () -> {
            loads.incrementAndGet();
            return OnnxEmbeddingModel.loadDefault(1);
        })) {
            assertThat(lazy.name()).isEqualTo(OnnxEmbeddingModel.DEFAULT_NAME);
            assertThat(loads).hasValue(0);
            assertThat(lazy.embed(List.of("uno", "due"), null)).hasNumberOfRows(2);
            assertThat(lazy.dimension()).isEqualTo(384);
            assertThat(loads).hasValue(1);
        }
    }

    @Test
    void aClosedModelNeverLoadsAndAWrongOneIsRefused() {
        AtomicInteger loads = new AtomicInteger();
        LazyEmbeddingModel lazy = new LazyEmbeddingModel("x", () -> {
            loads.incrementAndGet();
            return OnnxEmbeddingModel.loadDefault(1);
        });
        lazy.close();
        assertThatThrownBy(lazy::dimension).hasMessageContaining("closed");
        assertThat(loads).hasValue(0);
        try (LazyEmbeddingModel wrong = new LazyEmbeddingModel("other-model", () -> OnnxEmbeddingModel.loadDefault(1))) {
            assertThatThrownBy(wrong::dimension).hasMessageContaining("other-model");
        }
    }
}
