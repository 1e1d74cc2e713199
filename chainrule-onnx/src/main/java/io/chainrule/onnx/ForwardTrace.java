package io.chainrule.onnx;

import io.chainrule.OpTracer;
import io.chainrule.Tensor;
import io.chainrule.nn.Module;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ops of one forward pass, in the order they ran, as {@link OpTracer} reports them; each with the module path
 * it ran in. Tensors the forward pass took from outside (constants it made, or tensors an op did not report) are
 * copied when first seen, so a later in-place write cannot change what the export records.
 */
final class ForwardTrace implements OpTracer.Listener {
    private final ModulePaths paths;
    private final List<TracedOp> ops = new ArrayList<>();
    private final Map<Tensor, TracedOp> lastByOutput = new IdentityHashMap<>();
    private final Map<Tensor, Tensor> snapshots = new IdentityHashMap<>();
    private final Map<Tensor, String> stateNames;
    private final Tensor input;

    ForwardTrace(Module model, Tensor input, Map<Tensor, String> stateNames) {
        this.paths = new ModulePaths(model, stateNames);
        this.input = input;
        this.stateNames = stateNames;
    }

    /** Runs {@code model.forward(input)} under this trace; returns the output. */
    Tensor run(Module model) {
        try (var session = OpTracer.start(this)) {
            return model.forward(input);
        }
    }

    @Override
    public void op(String name, Tensor[] inputs, Tensor output, Map<String, Object> attributes) {
        for (Tensor t : inputs) snapshotIfOutside(t);
        for (Object v : attributes.values()) if (v instanceof Tensor t) snapshotIfOutside(t);
        TracedOp op = new TracedOp(ops.size(), name, inputs, output, new LinkedHashMap<>(attributes),
                paths.current(inputs));
        ops.add(op);
        lastByOutput.put(output, op);
    }

    @Override
    public void annotate(Tensor output, Map<String, Object> attributes) {
        TracedOp op = lastByOutput.get(output);
        if (op == null) return; // an op reported nothing before annotating: nothing to attach to
        for (Object v : attributes.values()) if (v instanceof Tensor t) snapshotIfOutside(t);
        op.attributes().putAll(attributes);
    }

    private void snapshotIfOutside(Tensor t) {
        if (t == null || t == input || lastByOutput.containsKey(t) || stateNames.containsKey(t) || snapshots.containsKey(t)) {
            return;
        }
        snapshots.put(t, t.detach().clone());
    }

    List<TracedOp> ops() {
        return ops;
    }

    /** The value {@code t} had when the trace first saw it, for a tensor from outside; null for one the trace made. */
    Tensor snapshot(Tensor t) {
        return snapshots.get(t);
    }
}
