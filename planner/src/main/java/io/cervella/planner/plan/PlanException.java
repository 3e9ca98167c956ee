package io.cervella.planner.plan;

/** A plan cannot be made at all: the message says what is missing and how to supply it. */
public final class PlanException extends RuntimeException {
    public PlanException(String message) {
        super(message);
    }
}
