package io.cervella.inference.engine.model;

/** Keys and values of every position seen so far, per layer; bounded by the context length. */
public final class KvCache {
    final float[][][] keys;   // [layer][position][kvDim]
    final float[][][] values; // [layer][position][kvDim]
    private int length;

    public KvCache(ModelConfig c, int capacity) {
        keys = new float[c.layers()][capacity][c.kvDim()];
        values = new float[c.layers()][capacity][c.kvDim()];
    }

    public int length() { return length; }
    public int capacity() { return keys[0].length; }

    void setLength(int n) { length = n; }

    /** Forgets everything from position {@code n} on (a new turn that shares only a prefix). */
    public void truncate(int n) {
        length = Math.min(length, n);
    }
}
