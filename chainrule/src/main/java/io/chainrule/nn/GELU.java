package io.chainrule.nn;

import io.chainrule.Tensor;

/** x·Φ(x) elementwise, the exact (erf) form of PyTorch's default {@code GELU(approximate='none')}. */
public class GELU extends Module {
    public GELU() {}

    @Override
    public Tensor forward(Tensor x) {
        return x.gelu();
    }

    @Override
    protected String extraRepr() {
        return "approximate='none'";
    }
}
