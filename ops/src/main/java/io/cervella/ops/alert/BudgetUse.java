package io.cervella.ops.alert;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

/**
 * budget_warning and budget_exhausted: the month's spend so far (UTC calendar month, the ledger's
 * cost_usd) has reached {@code share} of the monthly budget. The subject is the month, so a new month
 * resolves the last one's alert. A budget of 0 means none: never fires.
 */
public record BudgetUse(double budgetUsdPerMonth, double share) implements RuleCheck {
    @Override
    public List<Finding> check(RuleInputs in) {
        if (budgetUsdPerMonth <= 0) {
            return List.of();
        }
        YearMonth month = YearMonth.from(in.now().atZone(ZoneOffset.UTC));
        Instant monthStart = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        double spent = in.ledger().costBetween(monthStart, in.now());
        if (spent < share * budgetUsdPerMonth) {
            return List.of();
        }
        return List.of(new Finding(month.toString(), String.format(Locale.ROOT,
                "spend this month (%s, UTC) is %.2f USD: %.0f%% of the %.2f USD monthly budget",
                month, spent, spent / budgetUsdPerMonth * 100, budgetUsdPerMonth)));
    }
}
