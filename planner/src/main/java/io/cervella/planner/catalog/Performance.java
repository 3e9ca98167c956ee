package io.cervella.planner.catalog;

import io.cervella.core.config.ConfigException;
import java.time.LocalDate;
import java.util.Locale;

/**
 * How fast a model runs on some hardware (docs/formats/catalog.md, Performance figures): published, or
 * measured by {@code cervella bench}. Rates are per second; decoding is one stream at a time.
 */
public record Performance(String model, String hardware, Integer vcpus, String quantization, Double weightsGb, Integer promptTokens,
                          Double prefillTokensPerSecond, Double decodeTokensPerSecond, Double ttftSeconds,
                          Boolean measured, String source, LocalDate read, Boolean unconfirmed, String note) {
    public Performance {
        ConfigException.check(model != null && !model.isBlank(), "model", "is required");
        ConfigException.check(hardware != null && !hardware.isBlank(), "hardware", "is required: a GPU model or cpu");
        ConfigException.check(prefillTokensPerSecond != null || decodeTokensPerSecond != null, "decode_tokens_per_second",
                "or prefill_tokens_per_second is required");
        ConfigException.check(prefillTokensPerSecond == null || prefillTokensPerSecond > 0, "prefill_tokens_per_second", "must be positive");
        ConfigException.check(decodeTokensPerSecond == null || decodeTokensPerSecond > 0, "decode_tokens_per_second", "must be positive");
        ConfigException.check(ttftSeconds == null || ttftSeconds > 0, "ttft_seconds", "must be positive");
        ConfigException.check(vcpus == null || vcpus >= 1, "vcpus", "must be at least 1");
        ConfigException.check(weightsGb == null || weightsGb > 0, "weights_gb", "must be positive");
        measured = measured != null && measured;
        unconfirmed = unconfirmed != null && unconfirmed;
        ConfigException.check(source != null && !source.isBlank(), "source", "is required: a URL, or the command that measured it");
        ConfigException.check(measured || source.startsWith("https://") || source.startsWith("http://"), "source",
                "must be the URL the figures were read from (or set measured: true)");
    }

    /** A hardware name as compared: lower case, spaces collapsed. */
    public static String normalize(String hardware) {
        return hardware.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    public boolean isCpu() {
        return normalize(hardware).equals("cpu");
    }

    Performance readOn(LocalDate date) {
        return read != null ? this : new Performance(model, hardware, vcpus, quantization, weightsGb, promptTokens,
                prefillTokensPerSecond, decodeTokensPerSecond, ttftSeconds, measured, source, date, unconfirmed, note);
    }
}
