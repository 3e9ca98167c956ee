package io.cervella.vault.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cervella.vault.manifest.FileVersion;
import io.cervella.vault.tree.VaultPath;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The push scenarios of two devices, laptop and server, over one file. */
class CommitPlannerTest {
    private static final Instant NOW = Instant.parse("2026-11-26T15:04:05Z");
    private static final String H1 = "1".repeat(64);
    private static final String H2 = "2".repeat(64);
    private static final VaultPath NOTE = VaultPath.of("notes/decisioni.md");

    private final Map<VaultPath, FileVersion> vault = new HashMap<>();

    private static CommitPlanner.Change edit(VaultPath p, VersionVector base, String hash) {
        return new CommitPlanner.Change(p, base, false, 10, 1, hash, List.of(hash));
    }

    private static CommitPlanner.Change delete(VaultPath p, VersionVector base) {
        return new CommitPlanner.Change(p, base, true, 0, 1, "", List.of());
    }

    private CommitPlanner.Plan push(String device, CommitPlanner.Change... changes) {
        CommitPlanner.Plan plan = CommitPlanner.plan(vault, new Device(device, device), NOW, List.of(changes));
        plan.versions().forEach(v -> vault.put(v.path(), v));
        return plan;
    }

    @Test
    void changesFromTheCurrentVersionAreTakenInTurn() {
        CommitPlanner.Plan created = push("laptop", edit(NOTE, VersionVector.EMPTY, H1));
        assertThat(created.conflicts()).isEmpty();
        VersionVector v1 = vault.get(NOTE).vector();
        assertThat(v1.get("laptop")).isEqualTo(1);
        push("server", edit(NOTE, v1, H2)); // the server had pulled v1
        assertThat(vault.get(NOTE).vector().compare(v1)).isEqualTo(VersionVector.Order.AFTER);
        push("laptop", delete(NOTE, vault.get(NOTE).vector()));
        assertThat(vault.get(NOTE).deleted()).isTrue();
        assertThat(push("laptop", delete(NOTE, vault.get(NOTE).vector())).versions()).as("deleted twice: nothing new").isEmpty();
    }

    @Test
    void anEditFromAnOldVersionBecomesAConflictCopyAndOverwritesNothing() {
        push("laptop", edit(NOTE, VersionVector.EMPTY, H1));
        VersionVector v1 = vault.get(NOTE).vector();
        push("server", edit(NOTE, v1, H2));
        CommitPlanner.Plan late = push("laptop", edit(NOTE, v1, "3".repeat(64))); // laptop edited v1 offline
        assertThat(vault.get(NOTE).contentHash()).as("the server's edit stays").isEqualTo(H2);
        assertThat(late.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(CommitPlanner.ConflictKind.EDITED_ON_BOTH);
            assertThat(c.copy().value()).isEqualTo("notes/decisioni.conflict-laptop-20261126-150405.md");
        });
        assertThat(vault.get(VaultPath.of("notes/decisioni.conflict-laptop-20261126-150405.md")).contentHash()).isEqualTo("3".repeat(64));
        // the same second again: the copy gets a number, nothing is overwritten
        CommitPlanner.Plan again = push("laptop", edit(NOTE, v1, "4".repeat(64)));
        assertThat(again.conflicts().getFirst().copy().value()).isEqualTo("notes/decisioni.conflict-laptop-20261126-150405-2.md");
    }

    @Test
    void deleteAgainstEditIsRefusedAndEditAgainstDeleteBringsTheFileBack() {
        push("laptop", edit(NOTE, VersionVector.EMPTY, H1));
        VersionVector v1 = vault.get(NOTE).vector();
        push("server", edit(NOTE, v1, H2));
        CommitPlanner.Plan refused = push("laptop", delete(NOTE, v1));
        assertThat(refused.conflicts()).singleElement().extracting(CommitPlanner.Conflict::kind)
                .isEqualTo(CommitPlanner.ConflictKind.DELETE_REFUSED);
        assertThat(vault.get(NOTE).deleted()).isFalse();

        VersionVector v2 = vault.get(NOTE).vector();
        push("server", delete(NOTE, v2));
        CommitPlanner.Plan restored = push("laptop", edit(NOTE, v2, "5".repeat(64))); // laptop edited v2, unaware
        assertThat(restored.conflicts()).singleElement().extracting(CommitPlanner.Conflict::kind)
                .isEqualTo(CommitPlanner.ConflictKind.EDIT_RESTORED_DELETED);
        assertThat(vault.get(NOTE).deleted()).isFalse();
        assertThat(vault.get(NOTE).contentHash()).isEqualTo("5".repeat(64));
        assertThat(vault.get(NOTE).vector().includes(v2)).isTrue();
    }

    @Test
    void namesThatWouldBeOneFileAreRefusedAndAPathTwiceInAPushIsAnError() {
        push("laptop", edit(VaultPath.of("Idea.md"), VersionVector.EMPTY, H1));
        CommitPlanner.Plan clash = push("server", edit(VaultPath.of("idea.md"), VersionVector.EMPTY, H2));
        assertThat(clash.versions()).isEmpty();
        assertThat(clash.conflicts()).singleElement().extracting(CommitPlanner.Conflict::kind)
                .isEqualTo(CommitPlanner.ConflictKind.NAME_COLLISION);
        assertThatThrownBy(() -> push("laptop", edit(NOTE, VersionVector.EMPTY, H1), edit(NOTE, VersionVector.EMPTY, H2)))
                .hasMessageContaining("twice");
    }

    @Test
    void theSameContentOrADeletionOnBothSidesIsNoConflict() {
        push("laptop", edit(NOTE, VersionVector.EMPTY, H1));
        VersionVector v1 = vault.get(NOTE).vector();
        push("server", edit(NOTE, v1, H2));
        // the laptop made the very same edit from v1: the vault has it, nothing is written, its vector comes back
        CommitPlanner.Plan same = push("laptop", edit(NOTE, v1, H2));
        assertThat(same.versions()).isEmpty();
        assertThat(same.conflicts()).isEmpty();
        assertThat(same.unchanged()).singleElement().satisfies(v -> assertThat(v.vector().get("server")).isEqualTo(1));
        VersionVector v2 = vault.get(NOTE).vector();
        push("server", delete(NOTE, v2));
        CommitPlanner.Plan bothDeleted = push("laptop", delete(NOTE, v1));
        assertThat(bothDeleted.conflicts()).isEmpty();
        assertThat(bothDeleted.unchanged()).singleElement().satisfies(v -> assertThat(v.deleted()).isTrue());
    }
}
