package io.chainrule.optim;

import io.chainrule.DType;
import io.chainrule.Tensor;

/**
 * Reusable 0-d operands for in-place ops, one per dtype. {@code p.muli(0.9)} would allocate a fresh 0-d tensor for
 * the 0.9 on every call; an optimizer step goes through here instead, so in steady state it allocates no tensors.
 * The returned tensor is overwritten by the next call: use it in one op, immediately.
 */
final class Scalars {
    private final Tensor f32 = Tensor.scalar(0, DType.FLOAT32);
    private final Tensor f64 = Tensor.scalar(0, DType.FLOAT64);

    /** {@code v} as a 0-d tensor of {@code like}'s dtype (rounded as {@code like.muli(v)} would round it). */
    Tensor of(double v, Tensor like) {
        Tensor s = like.dtype() == DType.FLOAT64 ? f64 : f32;
        return s.fill(v);
    }
}
