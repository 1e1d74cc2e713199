package io.chainrule.onnx;

import io.chainrule.Tensor;
import io.chainrule.nn.Module;

import java.nio.file.Path;

/** Traces a Module and writes ONNX. (Scaffold: the export helper replaces this file.) */
final class OnnxExporter {
    private OnnxExporter() {}

    static void export(Module model, Tensor example, Path file) {
        throw new UnsupportedOperationException("ONNX export is not built yet");
    }
}
