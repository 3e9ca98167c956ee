package io.cervella.inference.engine;

import io.cervella.inference.engine.chat.ChatTemplate;
import io.cervella.inference.engine.gguf.GgufFile;
import io.cervella.inference.engine.model.KvCache;
import io.cervella.inference.engine.model.ModelConfig;
import io.cervella.inference.engine.model.Transformer;
import io.cervella.inference.engine.sampling.Sampler;
import io.cervella.inference.engine.sampling.SamplingParams;
import io.cervella.inference.engine.tokenizer.StreamDecoder;
import io.cervella.inference.engine.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Generation on one model for several requests at once. Each request holds a KV-cache slot (a fixed
 * number of them bound the memory) and runs on its own thread, one forward step at a time: its next
 * token, or the next chunk of its prompt. Steps are batched continuously: a scheduler thread takes
 * the steps waiting when the model comes free and runs them as one pass ({@link PassScheduler}), so
 * concurrent requests share each read of the weights instead of taking turns, and none waits more
 * than one pass for its turn. Results do not depend on the company a step keeps (the engine's
 * arithmetic is batch-invariant), so a seed gives the same text under any load. A slot keeps its
 * tokens after a request ends; the next request whose prompt starts the same way (the same system
 * prompt, the earlier turns of a conversation) reuses that prefix.
 */
public final class Engine implements AutoCloseable {
    /** Prompt tokens processed per step: long prompts are cut so that others get their turn. */
    private static final int PREFILL_CHUNK = 64;

    private final GgufFile file;
    private final ModelConfig config;
    private final Tokenizer tokenizer;
    private final Transformer transformer;
    private final PassScheduler scheduler;
    private final Semaphore freeSlots;
    private final List<Slot> slots = new ArrayList<>();

    /** A KV cache, the tokens it holds, and whose they are. */
    private static final class Slot {
        final KvCache cache;
        int[] tokens = new int[0];
        String namespace = "";
        boolean busy;

        Slot(KvCache cache) {
            this.cache = cache;
        }
    }

    /** What ended a generation. */
    public enum Finish { STOP, LENGTH }

    public record Result(String text, int promptTokens, int completionTokens, int reusedPromptTokens, Finish finish) {}

    public Engine(Path model, int threads, int contextLength, int slotCount) throws IOException {
        this(model, threads, contextLength, slotCount, fraction -> {});
    }

    /** With {@code loadProgress} told the fraction of the weights read into memory as the load goes. */
    public Engine(Path model, int threads, int contextLength, int slotCount, java.util.function.DoubleConsumer loadProgress)
            throws IOException {
        this.file = GgufFile.open(model);
        Transformer built = null;
        PassScheduler started = null;
        try {
            this.config = ModelConfig.from(file);
            this.tokenizer = Tokenizer.fromGguf(file);
            file.preload(loadProgress); // after the checks: a wrong file is refused before gigabytes are read
            built = new Transformer(file, config, threads);
            int ctx = Math.min(contextLength, config.context());
            for (int i = 0; i < slotCount; i++) {
                slots.add(new Slot(new KvCache(config, ctx)));
            }
            started = new PassScheduler(built);
        } catch (RuntimeException | Error e) { // out of memory for the KV caches included: leave no threads behind
            if (built != null) {
                built.close();
            }
            file.close();
            throw e;
        }
        this.transformer = built;
        this.scheduler = started;
        this.freeSlots = new Semaphore(slotCount, true);
    }

    public ModelConfig config() { return config; }
    public Tokenizer tokenizer() { return tokenizer; }
    public GgufFile file() { return file; }

    /** The prompt does not fit in the context. */
    public static final class ContextLengthException extends IllegalArgumentException {
        ContextLengthException(String message) {
            super(message);
        }
    }

    /**
     * Encodes a rendered chat prompt: template parts may contain special tokens, message text never
     * does (a user who writes "<|im_start|>system" gets those characters, not a system turn).
     */
    public int[] encode(List<ChatTemplate.Part> parts) {
        Tokenizer.IntList out = new Tokenizer.IntList();
        if (tokenizer.addsBos() && tokenizer.bosId() >= 0) {
            out.add(tokenizer.bosId());
        }
        for (ChatTemplate.Part p : parts) {
            out.addAll(tokenizer.encode(p.text(), p.template()));
        }
        return out.toArray();
    }

    /** Refuses a prompt that leaves no room to answer in a slot's context. */
    public void checkFits(int[] promptTokens) {
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        int capacity = slots.getFirst().cache.capacity();
        if (promptTokens.length >= capacity) {
            throw new ContextLengthException("the prompt has " + promptTokens.length + " tokens; the context holds "
                    + capacity);
        }
    }

    /** {@link #generate(int[], String, SamplingParams, int, List, Consumer)} of a raw text prompt (special tokens parsed). */
    public Result generate(String prompt, SamplingParams sampling, int maxTokens, List<String> stops,
                           Consumer<String> onText) throws InterruptedException {
        return generate(encode(List.of(new ChatTemplate.Part(prompt, true))), "", sampling, maxTokens, stops, onText);
    }

    /**
     * Generates a continuation of the prompt. Text goes to {@code onText} as it is produced, never half
     * a character, never any part of a stop string. A cached prefix is reused only from requests of the
     * same {@code cacheNamespace} (one per API key), so that one tenant cannot probe another's prompts.
     */
    public Result generate(int[] promptTokens, String cacheNamespace, SamplingParams sampling, int maxTokens,
                           List<String> stops, Consumer<String> onText) throws InterruptedException {
        checkFits(promptTokens);
        freeSlots.acquire();
        Slot slot = takeSlot(promptTokens, cacheNamespace);
        boolean completed = false;
        scheduler.requestStarted();
        try {
            int capacity = slot.cache.capacity();
            int reused = slot.namespace.equals(cacheNamespace) ? commonPrefix(slot.tokens, promptTokens, slot.cache.length()) : 0;
            if (reused == promptTokens.length) {
                reused--; // the last prompt token must run again to give the next token's logits
            }
            slot.cache.truncate(reused);
            slot.namespace = cacheNamespace;
            slot.tokens = java.util.Arrays.copyOf(promptTokens, reused); // what the cache holds from here on
            int[] history = new int[capacity];
            System.arraycopy(promptTokens, 0, history, 0, promptTokens.length);
            int length = promptTokens.length;

            float[] logits = null;
            for (int at = reused; at < promptTokens.length; at += PREFILL_CHUNK) {
                int[] chunk = java.util.Arrays.copyOfRange(promptTokens, at, Math.min(promptTokens.length, at + PREFILL_CHUNK));
                logits = step(chunk, slot.cache);
            }

            Sampler sampler = new Sampler(sampling);
            StreamDecoder decoder = new StreamDecoder(tokenizer, false);
            StopFilter filter = new StopFilter(stops, onText);
            int generated = 0;
            Finish finish = Finish.LENGTH;
            int limit = Math.min(maxTokens, capacity - promptTokens.length);
            while (generated < limit) {
                int next = sampler.sample(logits, history, length);
                if (isEndOfGeneration(next)) {
                    finish = Finish.STOP;
                    break;
                }
                history[length++] = next;
                generated++;
                if (filter.accept(decoder.next(next))) {
                    finish = Finish.STOP;
                    break;
                }
                if (generated < limit) {
                    logits = step(new int[] {next}, slot.cache);
                }
            }
            if (finish == Finish.LENGTH || !filter.stopped()) {
                filter.accept(decoder.finish());
            }
            filter.flush();
            slot.tokens = java.util.Arrays.copyOf(history, Math.min(length, slot.cache.length()));
            completed = true;
            return new Result(filter.text(), promptTokens.length, generated, reused, finish);
        } finally {
            if (!completed) {
                // Interrupted half-way (a client gone, an error): what the cache holds is no longer known.
                slot.cache.truncate(0);
                slot.tokens = new int[0];
            }
            scheduler.requestEnded();
            releaseSlot(slot);
            freeSlots.release();
        }
    }

    /** End-of-sequence and end-of-turn tokens of the families we run: any of them ends the answer. */
    private static final java.util.Set<String> END_TOKENS = java.util.Set.of("<|im_end|>", "<|endoftext|>", "<|eot_id|>",
            "<|end_of_text|>");

    private boolean isEndOfGeneration(int token) {
        return token == tokenizer.eosId()
                || (tokenizer.type(token) == Tokenizer.TYPE_CONTROL && END_TOKENS.contains(tokenizer.token(token)));
    }

    /**
     * One forward step, in the next pass of the model together with the other requests' steps. An
     * interrupted request stops after the step (its slot is then reset by the caller).
     */
    private float[] step(int[] tokens, KvCache cache) throws InterruptedException {
        float[] logits = scheduler.run(new Transformer.Sequence(tokens, cache));
        if (Thread.interrupted()) {
            throw new InterruptedException("the request was cancelled");
        }
        return logits;
    }

    /** How many passes ran and how many steps they carried: more steps than passes means batching. */
    public PassScheduler.Counts passCounts() {
        return scheduler.counts();
    }

    /** A free slot, preferring the one that already holds the longest prefix of this prompt. */
    private synchronized Slot takeSlot(int[] prompt, String namespace) {
        Slot best = null;
        int bestPrefix = -1;
        for (Slot s : slots) {
            if (!s.busy) {
                int p = s.namespace.equals(namespace) ? commonPrefix(s.tokens, prompt, s.cache.length()) : 0;
                if (p > bestPrefix) {
                    best = s;
                    bestPrefix = p;
                }
            }
        }
        best.busy = true;
        return best;
    }

    private synchronized void releaseSlot(Slot s) {
        s.busy = false;
    }

    private static int commonPrefix(int[] cached, int[] prompt, int cachedLength) {
        int n = Math.min(Math.min(cached.length, cachedLength), prompt.length);
        int i = 0;
        while (i < n && cached[i] == prompt[i]) {
            i++;
        }
        return i;
    }

    @Override
    public void close() {
        scheduler.close();
        transformer.close();
        file.close();
    }
}
