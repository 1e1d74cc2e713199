package io.chainrule;

import io.chainrule.autograd.FunctionNode;
import io.chainrule.autograd.GradMode;
import io.chainrule.autograd.Node;

import java.util.Arrays;

/** Records ops into the graph: the one place where a forward result gets its {@code grad_fn}. */
final class Recorder {
    private Recorder() {}

    /** True when grad mode is on and some input requires grad. */
    static boolean recording(Tensor... inputs) {
        if (!GradMode.isEnabled()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /**
     * Attaches a node named {@code name} to {@code out} when recording. {@code rule} is the op's backward, written in
     * tensor ops; {@code saved} are the tensors it reads (null entries are skipped): their versions are checked before
     * the rule runs, so an in-place write in between fails loudly.
     * Edges are taken from the inputs before {@code out} is updated, so in-place ops may pass {@code out} as an input.
     * An active {@link OpTracer} hears of the op here, recorded or not.
     */
    static Tensor record(Tensor out, String name, FunctionNode.Rule<Tensor> rule, Tensor[] inputs, Tensor... saved) {
        if (OpTracer.isTracing()) OpTracer.op(out, name, inputs); // every op, gradients or not (see OpTracer)
        if (!recording(inputs) || !out.dtype.isFloatingPoint()) return out; // integer results carry no gradient
        Node<Tensor>[] next = newNodes(inputs.length);
        int[][] shapes = new int[inputs.length][];
        DType[] types = new DType[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in == null) continue;
            next[i] = in.requiresGrad() ? in.gradNode() : null;
            shapes[i] = in.shape;
            types[i] = in.dtype;
        }
        out.attach(new FunctionNode<>(name, Arrays.asList(next), shapes, types, rule, Arrays.asList(saved)));
        return out;
    }

    @SuppressWarnings("unchecked") // an array of a generic type cannot be created otherwise; it holds only nodes
    private static Node<Tensor>[] newNodes(int n) {
        return (Node<Tensor>[]) new Node<?>[n];
    }

    static Tensor[] inputs(Tensor... ts) {
        return ts;
    }

    /**
     * Tells an active {@link OpTracer} the attributes (key, value pairs) of the op that just made {@code out}; returns
     * {@code out}. Call sites guard with {@code OpTracer.isTracing()} so an untraced op allocates nothing.
     */
    static Tensor traced(Tensor out, Object... attributes) {
        return OpTracer.annotate(out, attributes);
    }

    /**
     * Names the node of a composite op's result after the whole op ({@code x.sum().div(n)} is mean's
     * {@code MeanBackward0}); its gradient still flows through the ops it is made of, so higher-order gradients stay
     * free. A result that records nothing (no grad mode, no input requiring grad) is returned as is.
     */
    static Tensor named(Tensor out, String name) {
        if (out.gradNode() instanceof FunctionNode<Tensor> f) f.relabel(name);
        return out;
    }
}
