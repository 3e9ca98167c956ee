package io.cervella.planner.plan;

import io.cervella.planner.Numbers;
import io.cervella.planner.catalog.Catalog;
import io.cervella.planner.catalog.Offer;
import java.util.List;
import java.util.Optional;

/**
 * A provider's subscription that usage is billed under: its monthly price, of which its credit (or
 * minimum commitment) is drawn on first; only usage beyond the credit is billed on top. The usage
 * itself is counted elsewhere: this is the fee's share, {@code month − min(usage, credit)}.
 */
record PlanFee(String offerId, String basis, double usdPerMonth) {

    static Optional<PlanFee> cheapest(List<Catalog.Entry> plans, double usageUsd, Assumptions as) {
        PlanFee best = null;
        for (Catalog.Entry e : plans) {
            Offer o = e.offer();
            double month = Candidates.toUsd(o, o.prices().month(), as);
            double credit = o.prices().creditMonth() == null ? 0 : Candidates.toUsd(o, o.prices().creditMonth(), as);
            double fee = month - Math.min(usageUsd, credit);
            if (best == null || fee < best.usdPerMonth) {
                best = new PlanFee(o.id(), Numbers.plain(month) + "/month, of which a " + Numbers.plain(credit) + " credit pays usage first", fee);
            }
        }
        return Optional.ofNullable(best);
    }
}
