package io.chainrule;

import io.chainrule.autograd.GradMode;
import io.chainrule.autograd.Node;
import io.chainrule.autograd.OpTracer;

import java.util.Arrays;

/** Records ops into the graph: the one place where a forward result gets its {@code grad_fn}. */
final class Recorder {
    private Recorder() {}

    /**
     * A backward rule written in tensor ops (so it is itself differentiable): the input gradients given the output
     * gradient. {@code need[i]} says whether input i wants a gradient, so rules can skip work; entries may be null.
     */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Tensor grad, boolean[] need);
    }

    /** True when grad mode is on and some input requires grad. */
    static boolean recording(Tensor... inputs) {
        if (!GradMode.isEnabled()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /**
     * Attaches a node named {@code name} to {@code out} when recording. {@code saved} are the tensors the rule
     * reads (null entries are skipped): their versions are checked before the rule runs, so an in-place write in between fails loudly.
     * Edges are taken from the inputs before {@code out} is updated, so in-place ops may pass {@code out} as an input.
     * An active {@link OpTracer} hears of the op here, recorded or not.
     */
    static Tensor record(Tensor out, String name, Backward rule, Tensor[] inputs, Tensor... saved) {
        if (OpTracer.isTracing()) OpTracer.op(out, name, inputs); // every op, gradients or not (see OpTracer)
        if (!recording(inputs) || !out.dtype.isFloatingPoint()) return out; // integer results carry no gradient
        Node[] next = new Node[inputs.length];
        int[][] shapes = new int[inputs.length][];
        DType[] types = new DType[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in == null) continue;
            next[i] = in.requiresGrad() ? in.gradNode() : null;
            shapes[i] = in.shape;
            types[i] = in.dtype;
        }
        out.attach(new FunctionNode(name, next, shapes, types, rule, saved));
        return out;
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
        if (out.gradNode() instanceof FunctionNode f) f.relabel(name);
        return out;
    }

    /** An op's node: its rule, and the tensors the rule saved with their versions at save time. */
    static final class FunctionNode extends Node {
        private Backward rule;
        private Tensor[] saved;
        private final int[] versions;
        private final boolean[] need;

        FunctionNode(String name, Node[] next, int[][] shapes, DType[] types, Backward rule, Tensor[] saved) {
            super(name, next, shapes, types);
            this.rule = rule;
            this.saved = saved;
            this.versions = new int[saved.length];
            for (int i = 0; i < saved.length; i++) versions[i] = saved[i] == null ? 0 : saved[i].storage.version();
            this.need = new boolean[next.length];
            for (int i = 0; i < next.length; i++) need[i] = next[i] != null;
        }

        void relabel(String name) {
            rename(name);
        }

        @Override
        protected Tensor[] apply(Tensor grad) {
            if (rule == null) {
                throw new IllegalStateException("Trying to backward through the graph a second time (op " + name()
                        + "): its saved tensors were freed by the first backward. Pass retainGraph=true to the first "
                        + "backward if you need to go through the graph again.");
            }
            for (int i = 0; i < saved.length; i++) {
                if (saved[i] == null) continue;
                int now = saved[i].storage.version();
                if (now != versions[i]) {
                    throw new IllegalStateException("one of the tensors needed for gradient computation has been "
                            + "modified by an inplace operation: the " + saved[i].dtype + " tensor of shape "
                            + Arrays.toString(saved[i].shape) + " saved by " + name() + " is at version " + now
                            + "; expected version " + versions[i] + " instead");
                }
            }
            return rule.apply(grad, need);
        }

        @Override
        protected void release() {
            rule = null;
            saved = null;
        }
    }

    /** The node that adds gradients into a leaf's {@code grad()}. */
    static final class AccumulateGrad extends Node {
        private final Tensor leaf;

        AccumulateGrad(Tensor leaf) {
            super("AccumulateGrad", new Node[0], new int[0][], new DType[0]);
            this.leaf = leaf;
        }

        @Override
        protected Tensor[] apply(Tensor gradOutput) {
            return new Tensor[0];
        }

        @Override
        protected boolean isLeafAccumulator() {
            return true;
        }

        @Override
        protected void accumulate(Tensor g, boolean createGraph, boolean exclusive) {
            Tensor current = leaf.grad();
            if (createGraph) {
                // clone, not g itself: the incoming gradient may be shared (as below), and must stay differentiable.
                leaf.setGrad(current == null ? g.clone() : current.add(g));
            } else if (current == null) {
                // Kept as is only when nothing else can see it, since later backwards add into it in place: an add
                // passes one tensor to both inputs, a view shares storage, a root seed is the caller's.
                boolean keep = exclusive && !g.isView && g.offset == 0 && g.isContiguous() && g.dtype == leaf.dtype
                        && g.storage.length() == g.numel();
                leaf.setGrad(keep ? g.detach() : g.detach().cloneRaw());
            } else {
                current.accumulateRaw(g);
            }
        }
    }
}
