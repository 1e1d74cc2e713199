package io.chainrule.nn;

import io.chainrule.Tensor;

/** 1 / (1 + e^−x) elementwise. */
public class Sigmoid extends Module {
    public Sigmoid() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
