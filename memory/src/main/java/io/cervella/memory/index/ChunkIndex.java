package io.cervella.memory.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene103.Lucene103Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.it.ItalianAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.DoubleValuesSourceRescorer;
import org.apache.lucene.search.FullPrecisionFloatVectorSimilarityValuesSource;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.QueryBuilder;

/**
 * The chunks of one collection in a Lucene index: each chunk's vector in an HNSW graph (dot product
 * of unit vectors), its text analysed for BM25 in its language (Italian or English stemming and stop
 * words; both when the language is unclear; queries look in both),
 * its document's metadata as exact terms and numeric points. Search by vector (metadata filters
 * applied inside the graph search), by keyword, or both fused by reciprocal rank. Writes are committed
 * before the call returns.
 */
public final class ChunkIndex implements AutoCloseable {
    private static final String ID = "id";
    private static final String DOCUMENT = "document";
    private static final String VECTOR = "vector";
    private static final String TEXT_IT = "text_it";
    private static final String TEXT_EN = "text_en";
    /** Metadata fields by kind: a name may hold texts in one document and numbers in another. */
    private static final String META_TEXT = "m.s.";
    private static final String META_NUMBER = "m.n.";
    /** Longest keyword query: more words would exceed Lucene's clause limit and say nothing more. */
    private static final int MAX_QUERY_CHARS = 2000;
    /**
     * How the vector graph is built and searched: candidates the search collects at least (its beam),
     * of which the best k are returned; neighbours per node and the beam while building; whether int7
     * candidates are scored again on the float vectors.
     */
    public record GraphSettings(int candidates, int neighbours, int buildBeam, boolean rescoreQuantized) {
        /**
         * Chosen on real embeddings (docs/benchmarks.md, `scripts/bench-search.sh real DIR 20000 500 sweep`):
         * 100 candidates with Lucene's default graph (16, 100) found 0.89 of the true ten nearest; these 0.99.
         */
        public static final GraphSettings DEFAULT = new GraphSettings(400, 32, 200, true);

        @Override
        public String toString() {
            return candidates + " candidates, graph " + neighbours + "/" + buildBeam + (rescoreQuantized ? ", int7 rescored" : "");
        }
    }

    private final GraphSettings graph;
    /** Reciprocal rank fusion's constant: the usual 60 damps the weight of the very first ranks. */
    private static final int RRF_K = 60;

    private final FSDirectory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final Analyzer analyzer;
    private final int dimension;
    private final boolean quantized;

    /** How the vectors are kept for the graph search. */
    public enum VectorStorage {
        /** 32-bit floats: exact scores, 4 bytes a dimension. */
        FLOAT,
        /** Scalar-quantized to 7 bits (the floats kept too, for merges): a quarter of the memory in search. */
        INT7
    }

    public ChunkIndex(Path dir, int dimension) {
        this(dir, dimension, VectorStorage.FLOAT);
    }

    public ChunkIndex(Path dir, int dimension, VectorStorage storage) {
        this(dir, dimension, storage, GraphSettings.DEFAULT);
    }

    public ChunkIndex(Path dir, int dimension, VectorStorage storage, GraphSettings graph) {
        this.graph = graph;
        this.dimension = dimension;
        this.quantized = storage == VectorStorage.INT7;
        this.analyzer = new PerFieldAnalyzerWrapper(new EnglishAnalyzer(Languages.ENGLISH_STOP_WORDS),
                Map.of(TEXT_IT, new ItalianAnalyzer(), TEXT_EN, new EnglishAnalyzer(Languages.ENGLISH_STOP_WORDS)));
        FSDirectory opened = null;
        IndexWriter openedWriter = null;
        try {
            opened = FSDirectory.open(dir);
            this.directory = opened;
            KnnVectorsFormat format = storage == VectorStorage.INT7
                    ? new Lucene99HnswScalarQuantizedVectorsFormat(graph.neighbours(), graph.buildBeam())
                    : new Lucene99HnswVectorsFormat(graph.neighbours(), graph.buildBeam());
            IndexWriterConfig config = new IndexWriterConfig(analyzer).setRAMBufferSizeMB(128)
                    .setCodec(new Lucene103Codec() {
                        @Override
                        public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                            return format;
                        }
                    });
            openedWriter = new IndexWriter(directory, config);
            this.writer = openedWriter;
            this.searchers = new SearcherManager(writer, null);
        } catch (org.apache.lucene.store.LockObtainFailedException e) {
            closeQuietly(openedWriter, opened);
            throw new IndexInUseException(dir);
        } catch (IOException | RuntimeException e) {
            closeQuietly(openedWriter, opened);
            throw new UncheckedIOException("cannot open the index in " + dir, e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** Another process (a running server, another command) holds the index: nothing may touch it. */
    public static final class IndexInUseException extends IllegalStateException {
        IndexInUseException(Path dir) {
            super("the index in " + dir + " is in use by another process (is cervella serve running on this data directory?)");
        }
    }

    private static void closeQuietly(IndexWriter writer, FSDirectory directory) {
        try {
            if (writer != null) {
                writer.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // already failing: the first error is the one to report
        }
        try {
            if (directory != null) {
                directory.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // as above
        }
    }

    /** Replaces every chunk of the document with these (none: the document leaves the index). */
    public void replaceDocument(String documentId, List<IndexedChunk> chunks) {
        replaceDocuments(Map.of(documentId, chunks));
    }

    /** {@link #replaceDocument} for many documents, with one commit for all (a bulk load). */
    public void replaceDocuments(Map<String, List<IndexedChunk>> documents) {
        Map<String, List<Document>> converted = new LinkedHashMap<>();
        for (Map.Entry<String, List<IndexedChunk>> e : documents.entrySet()) {
            converted.put(e.getKey(), convert(e.getKey(), e.getValue())); // all checked before anything is written
        }
        try {
            for (Map.Entry<String, List<Document>> e : converted.entrySet()) {
                if (e.getValue().isEmpty()) {
                    writer.deleteDocuments(new Term(DOCUMENT, e.getKey()));
                } else {
                    writer.updateDocuments(new Term(DOCUMENT, e.getKey()), e.getValue());
                }
            }
            writer.commit();
            searchers.maybeRefresh();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Merges the index into one segment: one graph to search after a bulk load, at the cost of rebuilding it. */
    public void forceMerge() {
        try {
            writer.forceMerge(1);
            writer.commit();
            searchers.maybeRefresh();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Document> convert(String documentId, List<IndexedChunk> chunks) {
        List<Document> docs = new ArrayList<>();
        for (IndexedChunk c : chunks) {
            if (!c.documentId().equals(documentId)) {
                throw new IllegalArgumentException("chunk of '" + c.documentId() + "' given for '" + documentId + "'");
            }
            if (c.vector().length != dimension) {
                throw new IllegalArgumentException("a vector of " + c.vector().length + " dimensions for an index of "
                        + dimension);
            }
            docs.add(toLucene(c));
        }
        return docs;
    }

    private static Document toLucene(IndexedChunk c) {
        Document d = new Document();
        d.add(new StringField(ID, c.documentId() + "#" + c.chunk().index(), Field.Store.YES));
        d.add(new StringField(DOCUMENT, c.documentId(), Field.Store.YES));
        d.add(new StoredField("chunk", c.chunk().index()));
        d.add(new StoredField("headings", String.join("\u001f", c.chunk().headings())));
        d.add(new StoredField("start", c.chunk().start()));
        d.add(new StoredField("end", c.chunk().end()));
        d.add(new StoredField("text", c.chunk().text()));
        d.add(new StoredField("version", c.version()));
        // The text goes into the field of its language (both when unsure): a word that is a stop word in
        // one language must not match as content in the other.
        Languages.Language language = Languages.guess(c.chunk().text());
        if (language != Languages.Language.ENGLISH) {
            d.add(new TextField(TEXT_IT, c.chunk().text(), Field.Store.NO));
        }
        if (language != Languages.Language.ITALIAN) {
            d.add(new TextField(TEXT_EN, c.chunk().text(), Field.Store.NO));
        }
        d.add(new KnnFloatVectorField(VECTOR, c.vector(), VectorSimilarityFunction.DOT_PRODUCT));
        for (Map.Entry<String, Object> m : c.metadata().entrySet()) {
            if (m.getValue() instanceof Number n) {
                d.add(new DoublePoint(META_NUMBER + m.getKey(), n.doubleValue()));
            } else {
                d.add(new StringField(META_TEXT + m.getKey(), (String) m.getValue(), Field.Store.NO));
            }
        }
        return d;
    }

    public List<Hit> search(SearchMode mode, String text, float[] vector, List<Filter> filters, int k) {
        if (k < 1 || k > 1000) {
            throw new IllegalArgumentException("k must be between 1 and 1000, was " + k);
        }
        Query filter = filter(filters);
        try {
            IndexSearcher searcher = searchers.acquire();
            try {
                return switch (mode) {
                    case VECTOR -> hits(searcher, vectorSearch(searcher, vector, filter, k));
                    case KEYWORD -> hits(searcher, keywordSearch(searcher, text, filter, k));
                    case HYBRID -> fuse(searcher, vectorSearch(searcher, vector, filter, Math.max(50, 4 * k)),
                            keywordSearch(searcher, text, filter, Math.max(50, 4 * k)), k);
                };
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ScoreDoc[] vectorSearch(IndexSearcher searcher, float[] vector, Query filter, int k) throws IOException {
        if (vector == null || vector.length != dimension) {
            throw new IllegalArgumentException("the query vector must have " + dimension + " dimensions");
        }
        // The graph is searched for more candidates than asked for, and the best k kept: with a beam of
        // only k, the walk stops early in a neighbourhood and misses true neighbours (recall ~0.8 at k=10).
        int candidates = Math.max(k, graph.candidates());
        if (!quantized || !graph.rescoreQuantized()) {
            return searcher.search(new KnnFloatVectorQuery(VECTOR, vector, candidates, filter), k).scoreDocs;
        }
        // 7-bit scores blur the order of close neighbours: the candidates are scored again on the float
        // vectors (kept beside the quantized ones) and the best k of that order returned.
        TopDocs approximate = searcher.search(new KnnFloatVectorQuery(VECTOR, vector, candidates, filter), candidates);
        DoubleValuesSourceRescorer exact = new DoubleValuesSourceRescorer(
                new FullPrecisionFloatVectorSimilarityValuesSource(vector, VECTOR)) {
            @Override
            protected float combine(float firstPassScore, boolean valuePresent, double sourceValue) {
                return valuePresent ? (float) sourceValue : firstPassScore;
            }
        };
        return exact.rescore(searcher, approximate, k).scoreDocs;
    }

    private ScoreDoc[] keywordSearch(IndexSearcher searcher, String text, Query filter, int k) throws IOException {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a keyword search needs query text");
        }
        if (text.length() > MAX_QUERY_CHARS) {
            throw new IllegalArgumentException("the query is longer than " + MAX_QUERY_CHARS + " characters");
        }
        BooleanQuery.Builder words = new BooleanQuery.Builder();
        for (String field : List.of(TEXT_IT, TEXT_EN)) {
            Query q = new QueryBuilder(analyzer).createBooleanQuery(field, text);
            if (q != null) {
                words.add(q, BooleanClause.Occur.SHOULD);
            }
        }
        BooleanQuery.Builder query = new BooleanQuery.Builder().add(words.build(), BooleanClause.Occur.MUST);
        if (filter != null) {
            query.add(filter, BooleanClause.Occur.FILTER);
        }
        return searcher.search(query.build(), k).scoreDocs;
    }

    /** Reciprocal rank fusion: score = Σ 1 / (60 + rank) over the lists a chunk appears in. */
    private List<Hit> fuse(IndexSearcher searcher, ScoreDoc[] byVector, ScoreDoc[] byWords, int k) throws IOException {
        Map<Integer, Double> scores = new LinkedHashMap<>();
        for (ScoreDoc[] list : List.of(byVector, byWords)) {
            for (int rank = 0; rank < list.length; rank++) {
                scores.merge(list[rank].doc, 1.0 / (RRF_K + rank + 1), Double::sum);
            }
        }
        ScoreDoc[] fused = scores.entrySet().stream()
                .sorted(Map.Entry.<Integer, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(k).map(e -> new ScoreDoc(e.getKey(), e.getValue().floatValue())).toArray(ScoreDoc[]::new);
        return hits(searcher, fused);
    }

    private static Query filter(List<Filter> filters) {
        if (filters == null || filters.isEmpty()) {
            return null;
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        b.add(new MatchAllDocsQuery(), BooleanClause.Occur.FILTER);
        for (Filter f : filters) {
            Query q = switch (f) {
                case Filter.Equals e -> new TermQuery(new Term(META_TEXT + e.field(), e.value()));
                case Filter.AnyOf a -> new TermInSetQuery(META_TEXT + a.field(), a.values().stream().map(BytesRef::new).toList());
                case Filter.Range r -> DoublePoint.newRangeQuery(META_NUMBER + r.field(),
                        r.min() == null ? Double.NEGATIVE_INFINITY : r.min(), r.max() == null ? Double.POSITIVE_INFINITY : r.max());
            };
            b.add(q, BooleanClause.Occur.FILTER);
        }
        return b.build();
    }

    private static List<Hit> hits(IndexSearcher searcher, ScoreDoc[] docs) throws IOException {
        List<Hit> out = new ArrayList<>(docs.length);
        var stored = searcher.storedFields();
        for (ScoreDoc sd : docs) {
            Document d = stored.document(sd.doc);
            String headings = d.get("headings");
            out.add(new Hit(d.get(DOCUMENT), d.getField("chunk").numericValue().intValue(),
                    headings.isEmpty() ? List.of() : Arrays.asList(headings.split("\u001f")),
                    d.getField("start").numericValue().intValue(), d.getField("end").numericValue().intValue(),
                    d.get("text"), sd.score));
        }
        return out;
    }

    /** The version the document's chunks carry in the index, or null when it has none there. */
    public String version(String documentId) {
        try {
            IndexSearcher s = searchers.acquire();
            try {
                ScoreDoc[] hits = s.search(new TermQuery(new Term(DOCUMENT, documentId)), 1).scoreDocs;
                return hits.length == 0 ? null : s.storedFields().document(hits[0].doc, java.util.Set.of("version")).get("version");
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The version each document's chunks carry: what the index holds, to check against the database. */
    public Map<String, String> versions() {
        try {
            IndexSearcher s = searchers.acquire();
            try {
                Map<String, String> out = new java.util.HashMap<>();
                var stored = s.storedFields();
                var live = org.apache.lucene.index.MultiBits.getLiveDocs(s.getIndexReader());
                for (int doc = 0; doc < s.getIndexReader().maxDoc(); doc++) {
                    if (live == null || live.get(doc)) {
                        Document d = stored.document(doc, java.util.Set.of(DOCUMENT, "version"));
                        out.put(d.get(DOCUMENT), d.get("version"));
                    }
                }
                return out;
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Chunks in the index (all documents). */
    public int size() {
        try {
            IndexSearcher s = searchers.acquire();
            try {
                return s.getIndexReader().numDocs();
            } finally {
                searchers.release(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            searchers.close();
            writer.close();
            directory.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
