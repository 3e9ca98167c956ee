package io.cervella.backup.run;

/** Told how far a long operation is: bytes done of a total, and what it is on. */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total, current) -> {};

    void update(long done, long total, String current);
}
