package io.cervella.backup.pack;

/** What a blob holds: a chunk of a file, or a tree (a list of files). Packs hold one type each. */
public enum BlobType {
    DATA(0), TREE(1);

    public final int code;

    BlobType(int code) {
        this.code = code;
    }

    public static BlobType of(int code) {
        return switch (code) {
            case 0 -> DATA;
            case 1 -> TREE;
            default -> throw new IllegalArgumentException("unknown blob type " + code);
        };
    }
}
