package io.chainrule.data;

import io.chainrule.Tensor;

/**
 * One example of a {@link Dataset}: an input {@code x} and its target {@code y} (a class label as a 0-D INT64
 * tensor, a regression target, ...).
 */
public record Example(Tensor x, Tensor y) {}
