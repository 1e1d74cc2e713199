package io.chainrule.autograd;

import java.util.Arrays;
import java.util.List;

/**
 * An op's node: its backward rule, and the values the rule saved with their versions at save time, so that an
 * in-place write in between fails loudly instead of giving a wrong gradient.
 *
 * @param <T> the values that flow through the graph ({@code io.chainrule.Tensor})
 */
public final class FunctionNode<T extends Differentiable<T>> extends Node<T> {
    /**
     * A backward rule written in differentiable ops (so it is itself differentiable): the input gradients given the
     * output gradient. {@code need[i]} says whether input i wants a gradient, so rules can skip work; entries may be
     * null.
     */
    @FunctionalInterface
    public interface Rule<T> {
        T[] apply(T grad, boolean[] need);
    }

    private Rule<T> rule;
    private List<T> saved;
    private final int[] versions;
    private final boolean[] need;

    /**
     * @param name        the op's node name as PyTorch prints it ({@code MulBackward0})
     * @param next        for each input, the node its gradient flows to, or null where none is needed
     * @param inputShapes each input's shape, to which its gradient is summed
     * @param inputTypes  each input's dtype, to which its gradient is cast
     * @param saved       the values {@code rule} reads (null entries are skipped)
     */
    public FunctionNode(String name, List<Node<T>> next, int[][] inputShapes, Object[] inputTypes, Rule<T> rule,
                        List<T> saved) {
        super(name, next, inputShapes, inputTypes);
        this.rule = rule;
        this.saved = saved;
        this.versions = new int[saved.size()];
        for (int i = 0; i < versions.length; i++) versions[i] = saved.get(i) == null ? 0 : saved.get(i).version();
        this.need = new boolean[next.size()];
        for (int i = 0; i < need.length; i++) need[i] = next.get(i) != null;
    }

    /**
     * Names the node after the whole op it completes: an op composed of other ops (mean = sum ÷ n) shows as
     * PyTorch shows it ({@code MeanBackward0}).
     */
    public void relabel(String name) {
        rename(name);
    }

    @Override
    T[] apply(T grad) {
        if (rule == null) {
            throw new IllegalStateException("Trying to backward through the graph a second time (op " + name()
                    + "): its saved tensors were freed by the first backward. Pass retainGraph=true to the first "
                    + "backward if you need to go through the graph again.");
        }
        for (int i = 0; i < versions.length; i++) {
            T s = saved.get(i);
            if (s == null) continue;
            int now = s.version();
            if (now != versions[i]) {
                throw new IllegalStateException("one of the tensors needed for gradient computation has been "
                        + "modified by an inplace operation: the " + s.dtype() + " tensor of shape "
                        + Arrays.toString(s.shape()) + " saved by " + name() + " is at version " + now
                        + "; expected version " + versions[i] + " instead");
            }
        }
        return rule.apply(grad, need);
    }

    @Override
    void release() {
        rule = null;
        saved = null;
    }
}
