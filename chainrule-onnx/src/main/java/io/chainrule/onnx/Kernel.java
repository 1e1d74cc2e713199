package io.chainrule.onnx;

import io.chainrule.Tensor;

/**
 * A compiled node: attributes already read and checked, it maps the node's input values (null where an optional
 * input is absent) to its output values, with chainrule ops so that gradients flow through.
 */
@FunctionalInterface
interface Kernel {
    Tensor[] run(Tensor[] inputs);

    /** A kernel with one output. */
    static Kernel of(java.util.function.Function<Tensor[], Tensor> f) {
        return in -> new Tensor[] {f.apply(in)};
    }
}
