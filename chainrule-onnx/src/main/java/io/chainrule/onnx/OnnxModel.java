package io.chainrule.onnx;

import io.chainrule.Tensor;
import io.chainrule.nn.Module;

/** An ONNX graph run with chainrule ops. (Scaffold: the import helper replaces this file.) */
public final class OnnxModel extends Module {
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ONNX import is not built yet");
    }
}
