package io.cervella.planner.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.cervella.core.config.ConfigException;

/**
 * What an offer costs, each way it is sold, in the offer's currency; null: not sold that way (never
 * zero). Hourly prices are per instance-hour; serverless ones per worker-second.
 */
public record Prices(Double onDemandHour, Double spotHour,
                     @JsonProperty("commit_1y_hour") Double commit1yHour,
                     @JsonProperty("commit_3y_hour") Double commit3yHour,
                     Double flexSecond, Double activeSecond, Double month, Double gbMonth, Double gbEgress,
                     Double creditMonth, String included) {
    public Prices {
        check("on_demand_hour", onDemandHour);
        check("spot_hour", spotHour);
        check("commit_1y_hour", commit1yHour);
        check("commit_3y_hour", commit3yHour);
        check("flex_second", flexSecond);
        check("active_second", activeSecond);
        check("month", month);
        check("gb_month", gbMonth);
        check("gb_egress", gbEgress);
        check("credit_month", creditMonth);
    }

    private static void check(String key, Double value) {
        ConfigException.check(value == null || value >= 0 && Double.isFinite(value), key, "must be a price of 0 or more");
    }

    /** True when at least one price (not only {@code included}) is given. */
    public boolean any() {
        return onDemandHour != null || spotHour != null || commit1yHour != null || commit3yHour != null || flexSecond != null
                || activeSecond != null || month != null || gbMonth != null || gbEgress != null;
    }
}
