package io.cervella.planner.plan;

/** One line of an option's monthly bill: what, from which offer, how it was counted, in US dollars. */
public record CostItem(String what, String offerId, String basis, double usdPerMonth) {}
