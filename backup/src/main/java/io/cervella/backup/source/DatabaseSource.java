package io.cervella.backup.source;

/** The metadata database as a source: its kind ("sqlite", "postgresql") and schema version go into the snapshot. */
public interface DatabaseSource extends Source {
    String kind();

    /** The Flyway schema version of what was listed (after files()). */
    int schemaVersion();
}
