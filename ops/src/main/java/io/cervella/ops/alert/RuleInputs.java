package io.cervella.ops.alert;

import io.cervella.ops.facts.PlatformFacts;
import io.cervella.ops.facts.ProbeFact;
import java.time.Instant;
import java.util.List;

/** What the rules look at in one evaluation: the layers' facts, the probes, the usage ledger, the time. */
public record RuleInputs(PlatformFacts facts, List<ProbeFact> probes, LedgerReader ledger, Instant now) {
    public RuleInputs {
        probes = List.copyOf(probes);
    }
}
