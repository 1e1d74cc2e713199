package io.chainrule.onnx;

import io.chainrule.DType;
import io.chainrule.Tensor;

import java.util.List;
import java.util.Map;

/**
 * A loaded, checked and compiled ONNX graph: the steps in file order (ONNX requires topological order), the graph's
 * inputs and outputs, and its initializers — the float ones become the model's parameters, the others (INT64 shape
 * constants) stay constants.
 *
 * @param steps        each node with its kernel and the values no later step reads (released after it runs)
 * @param inputs       the graph inputs that are not initializers, in file order
 * @param outputs      the graph outputs, in file order
 * @param floatWeights float initializers by name, in file order
 * @param constants    the other initializers by name
 * @param opset        the default domain's opset version
 * @param file         the file it came from, for messages
 */
record OnnxGraph(List<Step> steps, List<InputSpec> inputs, List<String> outputs, Map<String, Tensor> floatWeights,
                 Map<String, Tensor> constants, int opset, String file) {

    /** One node ready to run. */
    record Step(OnnxNode node, Kernel kernel, List<String> release) {}

    /**
     * A graph input as declared: its dtype (null when not a tensor type chainrule has) and dimensions (−1 where
     * symbolic or unknown; null when the rank is not declared).
     */
    record InputSpec(String name, DType dtype, int[] dims) {}
}
