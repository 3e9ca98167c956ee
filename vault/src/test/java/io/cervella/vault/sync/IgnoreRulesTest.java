package io.cervella.vault.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** gitignore's rules, as its documentation states them, on the paths a notes folder holds. */
class IgnoreRulesTest {
    private static final IgnoreRules RULES = IgnoreRules.parse("""
            # editors and systems
            .DS_Store
            *.swp
            *~
            /build/
            logs/
            **/cache/**
            drafts/*.md
            !drafts/keep.md
            doc/**/tmp
            secret?.txt
            [Tt]humbs.db
            \\#notes.md
            """);

    @Test
    void patternsMatchAsInGitignore() {
        assertThat(RULES.ignored(".DS_Store", false)).isTrue();
        assertThat(RULES.ignored("a/b/.DS_Store", false)).as("no slash: any depth").isTrue();
        assertThat(RULES.ignored("notes/idea.md.swp", false)).isTrue();
        assertThat(RULES.ignored("notes/idea.md~", false)).isTrue();
        assertThat(RULES.ignored("build/out.txt", false)).as("inside an ignored folder").isTrue();
        assertThat(RULES.ignored("notes/build/x.md", false)).as("/build/ is anchored").isFalse();
        assertThat(RULES.ignored("notes/build", false)).isFalse();
        assertThat(RULES.ignored("build", false)).as("a file named build is not the folder").isFalse();
        assertThat(RULES.ignored("a/logs/today.log", false)).isTrue();
        assertThat(RULES.ignored("x/cache/y/z.bin", false)).isTrue();
        assertThat(RULES.ignored("drafts/a.md", false)).isTrue();
        assertThat(RULES.ignored("drafts/keep.md", false)).as("taken back in").isFalse();
        assertThat(RULES.ignored("drafts/sub/a.md", false)).as("* stops at /").isFalse();
        assertThat(RULES.ignored("doc/tmp", false)).isTrue();
        assertThat(RULES.ignored("doc/a/b/tmp", false)).isTrue();
        assertThat(RULES.ignored("secret1.txt", false)).isTrue();
        assertThat(RULES.ignored("secret12.txt", false)).isFalse();
        assertThat(RULES.ignored("Thumbs.db", false)).isTrue();
        assertThat(RULES.ignored("thumbs.db", false)).isTrue();
        assertThat(RULES.ignored("#notes.md", false)).isTrue();
        assertThat(RULES.ignored("notes/decisioni.md", false)).isFalse();
    }

    @Test
    void aFileInAnIgnoredFolderCannotBeTakenBackIn() {
        IgnoreRules r = IgnoreRules.parse("private/\n!private/ok.md\n");
        assertThat(r.ignored("private/ok.md", false)).isTrue();
        assertThat(IgnoreRules.parse("private/*\n!private/ok.md\n").ignored("private/ok.md", false)).isFalse();
        assertThat(IgnoreRules.NONE.ignored("anything", false)).isFalse();
    }
}
