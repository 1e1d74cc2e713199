package io.chainrule.nn;

import io.chainrule.Tensor;

/** tanh(x) elementwise. */
public class Tanh extends Module {
    public Tanh() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }
}
