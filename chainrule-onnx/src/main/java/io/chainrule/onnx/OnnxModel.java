package io.chainrule.onnx;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.nn.Module;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph run with chainrule ops (from {@link Onnx#load}). It is a {@link Module} like any other: every float
 * initializer is a trainable parameter under its initializer name ({@code namedParameters()} keys such as
 * {@code fc1.weight} or {@code onnx::MatMul_12}), so a model exported elsewhere can be evaluated, fine-tuned with any
 * optimizer, converted with {@link #to(DType)} and saved and restored with {@link #save}/{@link #load}
 * (safetensors). Integer initializers (shape constants) are constants, not parameters.
 *
 * <pre>{@code
 * OnnxModel m = Onnx.load(Path.of("mlp.onnx"));
 * var opt = new Adam(m.parameters(), 1e-3);
 * Tensor loss = F.crossEntropy(m.forward(x), y);
 * loss.backward();
 * opt.step();
 * }</pre>
 *
 * <p>The graph runs as written: its BatchNormalization nodes use the stored statistics and its Dropout nodes are the
 * identity (what {@code torch.onnx.export} writes in eval mode), whether the module is in train or eval mode.
 */
public final class OnnxModel extends Module {
    private final OnnxGraph graph;

    OnnxModel(OnnxGraph graph) {
        this.graph = graph;
        graph.floatWeights().forEach(this::registerParameterVerbatim);
    }

    /** The graph's input names (graph inputs that are initializers are not inputs), in the file's order. */
    public List<String> inputNames() {
        return graph.inputs().stream().map(OnnxGraph.InputSpec::name).toList();
    }

    /** The graph's output names, in the file's order. */
    public List<String> outputNames() {
        return graph.outputs();
    }

    /** The opset version of the default ONNX domain the file declares. */
    public int opset() {
        return graph.opset();
    }

    /**
     * Runs a graph with one input on {@code input} and returns its first output.
     *
     * @throws IllegalArgumentException when the graph has several inputs (use {@link #forward(Map)}), or the input
     *                                  does not fit the declared type and shape
     */
    @Override
    public Tensor forward(Tensor input) {
        List<String> names = inputNames();
        if (names.size() != 1) {
            throw new IllegalArgumentException("OnnxModel.forward(Tensor): the graph has " + names.size() + " inputs " + names
                    + "; pass them by name with forward(Map)");
        }
        return forward(Map.of(names.get(0), input)).get(graph.outputs().get(0));
    }

    /**
     * Runs the graph on its inputs by name and returns every output by name (in {@link #outputNames()} order).
     *
     * @throws IllegalArgumentException for a missing or unknown input, one of the wrong type or shape, or a value
     *                                  that a node cannot take (the message names the node)
     */
    public Map<String, Tensor> forward(Map<String, Tensor> inputs) {
        Map<String, Tensor> env = new HashMap<>(graph.constants());
        env.putAll(namedParameters());
        for (String given : inputs.keySet()) {
            if (graph.inputs().stream().noneMatch(s -> s.name().equals(given))) {
                throw new IllegalArgumentException("OnnxModel.forward: '" + given + "' is not an input of the graph " + inputNames());
            }
        }
        for (OnnxGraph.InputSpec spec : graph.inputs()) {
            Tensor x = inputs.get(spec.name());
            if (x == null) throw new IllegalArgumentException("OnnxModel.forward: input '" + spec.name() + "' is missing (inputs " + inputNames() + ")");
            check(spec, x);
            env.put(spec.name(), x);
        }
        for (OnnxGraph.Step step : graph.steps()) run(step, env);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : graph.outputs()) out.put(name, env.get(name));
        return out;
    }

    private static void run(OnnxGraph.Step step, Map<String, Tensor> env) {
        OnnxNode node = step.node();
        Tensor[] in = new Tensor[node.inputs.size()];
        for (int i = 0; i < in.length; i++) in[i] = node.inputs.get(i).isEmpty() ? null : env.get(node.inputs.get(i));
        Tensor[] out;
        try {
            out = step.kernel().run(in);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("ONNX node")) throw e;
            throw new IllegalArgumentException("ONNX " + node.where() + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < node.outputs.size(); i++) {
            String name = node.outputs.get(i);
            if (name.isEmpty()) continue;
            if (i >= out.length || out[i] == null) throw node.unsupported("output " + i + " ('" + name + "')");
            env.put(name, out[i]);
        }
        for (String dead : step.release()) env.remove(dead);
    }

    /** The input's kind of type (float, integer, bool) and its rank and fixed dimensions must match the declaration. */
    private static void check(OnnxGraph.InputSpec spec, Tensor x) {
        if (spec.dtype() != null && spec.dtype().isFloatingPoint() != x.dtype().isFloatingPoint()
                || spec.dtype() == DType.BOOL && x.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("OnnxModel.forward: input '" + spec.name() + "' must be " + spec.dtype()
                    + ", got " + x.dtype());
        }
        int[] dims = spec.dims();
        if (dims == null) return;
        boolean ok = dims.length == x.dim();
        for (int i = 0; ok && i < dims.length; i++) ok = dims[i] < 0 || dims[i] == x.shape()[i];
        if (!ok) {
            throw new IllegalArgumentException("OnnxModel.forward: input '" + spec.name() + "' must have shape "
                    + Arrays.toString(dims).replace("-1", "?") + ", got " + Arrays.toString(x.shape()));
        }
    }

    @Override
    protected String extraRepr() {
        return "inputs=" + inputNames() + ", outputs=" + outputNames() + ", nodes=" + graph.steps().size() + ", opset=" + graph.opset();
    }
}
