package io.chainrule.spark;

import io.chainrule.Tensor;

import java.io.Serializable;
import java.util.function.BiFunction;

/**
 * (model output, target) → the loss <em>summed</em> over the micro-batch, one value:
 * {@code (o, y) -> F.crossEntropy(o, y, Reduction.SUM)}. The trainer divides the summed gradients by the global
 * batch size, so the update is that of the mean loss over the global batch.
 */
@FunctionalInterface
public interface LossFunction extends Serializable, BiFunction<Tensor, Tensor, Tensor> {}
