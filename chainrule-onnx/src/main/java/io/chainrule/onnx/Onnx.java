package io.chainrule.onnx;

import io.chainrule.Tensor;
import io.chainrule.nn.Module;

import java.io.IOException;
import java.nio.file.Path;

/**
 * ONNX files in and out.
 *
 * <pre>{@code
 * Onnx.export(model, Tensor.randn(1, 784), Path.of("mlp.onnx"));   // for ONNX Runtime, TensorRT, a browser
 * OnnxModel m = Onnx.load(Path.of("resnet.onnx"));                  // a Module: runs, and trains, in chainrule
 * }</pre>
 */
public final class Onnx {
    /** The ONNX operator set that exports declare. */
    public static final int OPSET = 17;
    /** The ONNX IR version that exports declare. */
    public static final int IR_VERSION = 8;

    private Onnx() {}

    /**
     * Traces one forward pass of {@code model} in eval mode on {@code example} and writes it as an ONNX model
     * (opset 17, IR 8; input {@code input}, output {@code output}, dimension 0 symbolic {@code batch};
     * parameters and buffers as initializers named by their state-dict keys). The file is written atomically.
     *
     * @throws UnsupportedOperationException naming the op (its grad_fn name) and the module path, when an op has
     *                                       no ONNX mapping; nothing is written then
     */
    public static void export(Module model, Tensor example, Path file) throws IOException {
        OnnxExporter.export(model, example, file);
    }

    /**
     * Reads an ONNX model into an {@link OnnxModel}, a Module that runs the graph with chainrule ops and whose float
     * initializers are trainable parameters.
     *
     * @throws IOException                   naming the file and what is wrong, for a malformed or truncated file
     * @throws UnsupportedOperationException naming the op type, the node and the opset, for an op or attribute the
     *                                       loader does not support
     */
    public static OnnxModel load(Path file) throws IOException {
        return OnnxImporter.load(file);
    }
}
