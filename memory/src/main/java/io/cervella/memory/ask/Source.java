package io.cervella.memory.ask;

import io.cervella.memory.index.Hit;

/** A retrieved chunk as the prompt numbers it: the model cites it as {@code [number]}. */
public record Source(int number, Hit hit) {}
