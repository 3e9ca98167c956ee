package io.cervella.inference.engine.sampling;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Chooses tokens from logits: penalties on recent tokens, then temperature, then top-k, top-p and
 * min-p filters, then a draw from what is left (as vLLM orders them). One sampler per request: it
 * holds the request's random stream, so the same seed replays the same choices.
 */
public final class Sampler {
    private final SamplingParams p;
    private final SplittableRandom random;

    public Sampler(SamplingParams p) {
        this.p = p;
        this.random = new SplittableRandom(p.seed() != null ? p.seed() : new SplittableRandom().nextLong());
    }

    /**
     * @param logits  the model's scores for the next token (modified in place)
     * @param history the tokens so far (prompt and answer); the penalties look at the last ones
     */
    public int sample(float[] logits, int[] history, int historyLength) {
        applyPenalties(logits, history, historyLength);
        if (p.temperature() == 0) {
            return argmax(logits);
        }
        int n = logits.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int keep = p.topK() > 0 ? Math.min(p.topK(), n) : n;
        double max = logits[order[0]] / p.temperature();
        double[] probs = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            probs[i] = Math.exp(logits[order[i]] / p.temperature() - max);
            sum += probs[i];
        }
        for (int i = 0; i < keep; i++) {
            probs[i] /= sum;
        }
        // top-p: the smallest prefix (most likely first) whose mass reaches top_p; always at least one token
        if (p.topP() < 1) {
            double mass = 0;
            int cut = keep;
            for (int i = 0; i < keep; i++) {
                mass += probs[i];
                if (mass >= p.topP()) {
                    cut = i + 1;
                    break;
                }
            }
            keep = cut;
        }
        // min-p: relative to the most likely token
        if (p.minP() > 0) {
            double floor = p.minP() * probs[0];
            int cut = 1;
            while (cut < keep && probs[cut] >= floor) {
                cut++;
            }
            keep = cut;
        }
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += probs[i];
        }
        double r = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            r -= probs[i];
            if (r < 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    private void applyPenalties(float[] logits, int[] history, int length) {
        if (p.repetitionPenalty() == 1 && p.presencePenalty() == 0 && p.frequencyPenalty() == 0) {
            return;
        }
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = Math.max(0, length - SamplingParams.PENALTY_WINDOW); i < length; i++) {
            counts.merge(history[i], 1, Integer::sum);
        }
        for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
            int t = e.getKey();
            if (t < 0 || t >= logits.length) {
                continue;
            }
            float l = logits[t];
            l = l > 0 ? (float) (l / p.repetitionPenalty()) : (float) (l * p.repetitionPenalty());
            l -= (float) (e.getValue() * p.frequencyPenalty() + p.presencePenalty());
            logits[t] = l;
        }
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
