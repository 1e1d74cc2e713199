package io.chainrule.spark;

import io.chainrule.Tensor;
import io.chainrule.optim.Optimizer;

import java.io.Serializable;
import java.util.List;
import java.util.function.Function;

/** Builds the optimizer over the driver model's parameters (it runs on the driver only): {@code p -> new Adam(p, 1e-3)}. */
@FunctionalInterface
public interface OptimizerFactory extends Serializable, Function<List<Tensor>, Optimizer> {}
