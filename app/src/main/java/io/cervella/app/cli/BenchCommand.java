package io.cervella.app.cli;

import io.cervella.app.Main;
import io.cervella.core.http.Json;
import io.cervella.planner.catalog.Performance;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code cervella bench}: times streamed chat completions of one model through a running server's
 * OpenAI API, one at a time, and writes what it measured as a catalog file of performance figures
 * (docs/formats/catalog.md) for the planner.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure how fast a model serves (time to first token, decode rate) and write a catalog file of the figures.")
public final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--server", description = "URL of the running server (env CERVELLA_SERVER)")
    String server;

    @Option(names = "--key", description = "API key with the chat scope (env CERVELLA_KEY); never written anywhere")
    String key;

    @Option(names = "--cacert", description = "CA certificate to trust, e.g. DATA/tls/ca.pem (env CERVELLA_CACERT)")
    Path cacert;

    @Option(names = "--model", required = true, description = "the model's name as the server serves it")
    String model;

    @Option(names = "--model-name", description = "the model's own name, as workloads and the catalog know it (e.g. Qwen3-4B"
            + " when the server serves it as cervella-baby; default: --model)")
    String modelName;

    @Option(names = "--hardware", required = true,
            description = "what the worker runs on: a GPU as the catalog names it (\"RTX 4090\", \"L4\") or cpu")
    String hardware;

    @Option(names = "--vcpus", description = "with --hardware cpu: the threads the worker runs with")
    Integer vcpus;

    @Option(names = "--quantization", description = "the weights' format, for the report (e.g. Q4_K_M, BF16)")
    String quantization;

    @Option(names = "--prompt-tokens", defaultValue = "900", description = "prompt length to aim at (default ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--completion-tokens", defaultValue = "250", description = "max_tokens of each request (default ${DEFAULT-VALUE})")
    int completionTokens;

    @Option(names = "--requests", defaultValue = "5", description = "measured requests (default ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--warmup", defaultValue = "1", description = "requests sent first and not counted (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--out", description = "the catalog file to write (default bench-HARDWARE-DATE.json)")
    Path out;

    private static final String ROW = "%-8s  %13s  %6s  %17s  %9s  %12s%n";

    @Override
    public Integer call() {
        String url = firstOf(server, System.getenv("CERVELLA_SERVER"));
        String apiKey = firstOf(key, System.getenv("CERVELLA_KEY"));
        Path trusted = cacert != null ? cacert : optionalPath(System.getenv("CERVELLA_CACERT"));
        String hw = checkArguments(url, apiKey);
        LocalDate today = LocalDate.now();
        Path file = out != null ? out : defaultOut(hw, today);
        TimedChatStream chat = new TimedChatStream(url, apiKey, trusted);
        PrintWriter o = spec.commandLine().getOut();

        o.printf("cervella bench: %s on %s through %s%n", model, hw, withoutUserInfo(url));
        // Two one-token requests size the prompt with the server's own tokenizer.
        long overhead = chat.send(model, BenchPrompt.of(0), 1).promptTokens();
        long withPassage = chat.send(model, BenchPrompt.of(BenchPrompt.PASSAGE.length), 1).promptTokens();
        int words = BenchPrompt.wordsFor(promptTokens, overhead, withPassage);
        o.printf(ROW, "REQUEST", "PROMPT_TOKENS", "CACHED", "COMPLETION_TOKENS", "TTFT_MS", "DECODE_TOK_S");
        for (int i = 1; i <= warmup; i++) {
            printRow(o, "warmup" + (warmup > 1 ? i : ""), chat.send(model, BenchPrompt.of(words), completionTokens));
        }
        List<TimedChatStream.Timing> timings = new ArrayList<>();
        for (int i = 1; i <= requests; i++) {
            TimedChatStream.Timing t = chat.send(model, BenchPrompt.of(words), completionTokens);
            timings.add(t);
            printRow(o, String.valueOf(i), t);
        }

        Medians m = Medians.of(timings);
        o.printf(ROW, "median", m.promptTokens(), "", "", String.format(Locale.ROOT, "%.1f", m.ttftSeconds() * 1e3),
                m.decodeTokensPerSecond() == null ? "-" : String.format(Locale.ROOT, "%.1f", m.decodeTokensPerSecond()));
        String servedAs = timings.stream().map(TimedChatStream.Timing::servedModel).filter(Objects::nonNull)
                .reduce((a, b) -> b).orElse(model);
        Performance figure = new Performance(modelName != null ? modelName : model, hw, vcpus, quantization, null, (int) m.promptTokens(),
                significant(m.prefillTokensPerSecond()),
                m.decodeTokensPerSecond() == null ? null : significant(m.decodeTokensPerSecond()),
                significant(m.ttftSeconds()), true, commandLine(url), null, false, note(m, servedAs));
        write(file, today, figure);
        o.printf(Locale.ROOT, "prefill at least %.0f tokens/s (prompt tokens / median TTFT, network and gateway included)%n",
                figure.prefillTokensPerSecond());
        if (figure.decodeTokensPerSecond() != null) {
            o.printf(Locale.ROOT, "decode %.1f tokens/s (one stream)%n", figure.decodeTokensPerSecond());
        }
        o.println("wrote " + file);
        o.flush();
        return 0;
    }

    /** Checks what picocli cannot; returns the hardware name as written to the file. */
    private String checkArguments(String url, String apiKey) {
        if (url == null) {
            throw new IllegalArgumentException("--server (or CERVELLA_SERVER) is required: bench measures a running server");
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--server: not a URL: '" + url + "'");
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("--server must be an https:// (or http://) URL, was '" + withoutUserInfo(url) + "'");
        }
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("--key (or CERVELLA_KEY) is required: a key with the chat scope");
        }
        if (model.isBlank()) {
            throw new IllegalArgumentException("--model must not be empty");
        }
        if (hardware.isBlank()) {
            throw new IllegalArgumentException("--hardware must not be empty: a GPU as the catalog names it, or cpu");
        }
        String hw = hardware.strip().replaceAll("\\s+", " ");
        boolean cpu = Performance.normalize(hw).equals("cpu");
        if (cpu && vcpus == null) {
            throw new IllegalArgumentException("--hardware cpu needs --vcpus: the threads the worker runs with");
        }
        if (!cpu && vcpus != null) {
            throw new IllegalArgumentException("--vcpus is for --hardware cpu only; a GPU's figures do not depend on it");
        }
        if (vcpus != null && vcpus < 1) {
            throw new IllegalArgumentException("--vcpus must be at least 1, was " + vcpus);
        }
        atLeast("--requests", requests, 1);
        atLeast("--warmup", warmup, 0);
        atLeast("--prompt-tokens", promptTokens, 1);
        atLeast("--completion-tokens", completionTokens, 1);
        return cpu ? "cpu" : hw;
    }

    private static void atLeast(String option, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", was " + value);
        }
    }

    /** The medians a figure is made of; TTFT only over requests that produced a token. */
    record Medians(long promptTokens, double ttftSeconds, Double decodeTokensPerSecond, int decoded, int requests) {
        static Medians of(List<TimedChatStream.Timing> timings) {
            List<Double> ttft = values(timings, t -> t.ttftNanos() == null ? null : t.ttftNanos() / 1e9);
            if (ttft.isEmpty()) {
                throw new Main.CliFailure("no request produced a token: the model ended every answer at once, so"
                        + " there is nothing to time");
            }
            List<Double> decode = values(timings, TimedChatStream.Timing::decodeTokensPerSecond);
            long prompt = Math.round(median(values(timings, t -> (double) t.promptTokens())));
            return new Medians(prompt, median(ttft), decode.isEmpty() ? null : median(decode), decode.size(), timings.size());
        }

        /** Prompt tokens ÷ median TTFT: TTFT also holds the network and the gateway, so this is a lower bound. */
        double prefillTokensPerSecond() {
            return promptTokens / ttftSeconds;
        }

        private static List<Double> values(List<TimedChatStream.Timing> timings, Function<TimedChatStream.Timing, Double> f) {
            return timings.stream().map(f).filter(Objects::nonNull).sorted(Comparator.naturalOrder()).toList();
        }

        private static double median(List<Double> sorted) {
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
    }

    private void printRow(PrintWriter o, String label, TimedChatStream.Timing t) {
        Double decode = t.decodeTokensPerSecond();
        o.printf(ROW, label, t.promptTokens(), t.cachedTokens() == null ? "-" : t.cachedTokens(), t.completionTokens(),
                t.ttftNanos() == null ? "-" : String.format(Locale.ROOT, "%.1f", t.ttftNanos() / 1e6),
                decode == null ? "-" : String.format(Locale.ROOT, "%.1f", decode));
        o.flush();
    }

    private String note(Medians m, String servedAs) {
        return "cervella bench: " + m.requests() + " requests after " + warmup + " warm-up"
                + (warmup == 1 ? "" : "s") + ", one at a time, model served as '"
                + servedAs + "'; medians over the requests; decode = (completion tokens - 1) / (last token - first token)"
                + (m.decoded() < m.requests() ? " from " + m.decoded() + " of them (the others ended before a second token)" : "")
                + "; prefill = prompt tokens / median TTFT, which includes network and gateway time: a lower bound";
    }

    /** The command that measured, as the entry's source: every option that shaped the figures, never the key. */
    private String commandLine(String url) {
        List<String> args = new ArrayList<>(List.of("cervella", "bench", "--server", withoutUserInfo(url), "--model", model,
                "--hardware", hardware.strip()));
        if (modelName != null) {
            args.addAll(List.of("--model-name", modelName));
        }
        if (vcpus != null) {
            args.addAll(List.of("--vcpus", vcpus.toString()));
        }
        if (quantization != null) {
            args.addAll(List.of("--quantization", quantization));
        }
        args.addAll(List.of("--prompt-tokens", String.valueOf(promptTokens), "--completion-tokens",
                String.valueOf(completionTokens), "--requests", String.valueOf(requests), "--warmup", String.valueOf(warmup)));
        return String.join(" ", args.stream().map(BenchCommand::shellQuoted).toList());
    }

    private static String shellQuoted(String arg) {
        return arg.matches("[A-Za-z0-9_./:=@%+,-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }

    /** A URL may carry a user and password; neither belongs in a file or on the screen. */
    static String withoutUserInfo(String url) {
        return url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", "$1");
    }

    /** bench-rtx-4090-2026-11-27.json in the working directory. */
    static Path defaultOut(String hardware, LocalDate date) {
        String slug = Performance.normalize(hardware).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return Path.of("bench-" + (slug.isEmpty() ? "hardware" : slug) + "-" + date + ".json");
    }

    /** A catalog file with this one measured entry; the date is the file's read date. */
    private static void write(Path file, LocalDate today, Performance p) {
        ObjectNode root = Json.object();
        root.put("catalog", 1);
        root.put("read", today.toString());
        ObjectNode entry = root.putArray("performance").addObject();
        entry.put("model", p.model());
        entry.put("hardware", p.hardware());
        if (p.vcpus() != null) {
            entry.put("vcpus", p.vcpus());
        }
        if (p.quantization() != null) {
            entry.put("quantization", p.quantization());
        }
        entry.put("prompt_tokens", p.promptTokens());
        entry.put("prefill_tokens_per_second", p.prefillTokensPerSecond());
        if (p.decodeTokensPerSecond() != null) {
            entry.put("decode_tokens_per_second", p.decodeTokensPerSecond());
        }
        entry.put("ttft_seconds", p.ttftSeconds());
        entry.put("measured", true);
        entry.put("source", p.source());
        entry.put("note", p.note());
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new Main.CliFailure("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** Four significant digits: more would claim a precision one run does not have. */
    private static double significant(double value) {
        return new BigDecimal(value).round(new MathContext(4)).doubleValue();
    }

    private static String firstOf(String given, String env) {
        return given != null ? given : env;
    }

    private static Path optionalPath(String p) {
        return p == null || p.isBlank() ? null : Path.of(p);
    }
}
