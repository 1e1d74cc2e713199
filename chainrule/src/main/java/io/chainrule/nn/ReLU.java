package io.chainrule.nn;

import io.chainrule.Tensor;

/** max(x, 0) elementwise; the derivative at 0 is 0. */
public class ReLU extends Module {
    public ReLU() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
