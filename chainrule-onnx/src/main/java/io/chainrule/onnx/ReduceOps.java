package io.chainrule.onnx;

import io.chainrule.DType;
import io.chainrule.Tensor;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * Reductions (ReduceSum, ReduceMean, ... over a set of axes), ArgMax/ArgMin and Softmax/LogSoftmax. Several axes are
 * reduced one after another, which gives the same value for every reduction here (a mean of equal-sized means is
 * the mean; log-sum-exp of log-sum-exps is the log-sum-exp).
 */
final class ReduceOps {
    private ReduceOps() {}

    /** How one axis is reduced, keeping the dimension. */
    @FunctionalInterface
    interface AxisReduction {
        Tensor apply(Tensor x, int axis);
    }

    /**
     * A Reduce* op: {@code before} maps the input first (x² for ReduceSumSquare), {@code each} reduces one axis,
     * {@code after} maps the result (√ for ReduceL2). Axes come from the attribute (up to opset 17, except ReduceSum
     * from 13) or from the second input.
     */
    static OpCompiler reduce(UnaryOperator<Tensor> before, AxisReduction each, UnaryOperator<Tensor> after) {
        return node -> {
            node.expectOutputs(1, 1);
            long[] attrAxes = node.attrInts("axes");
            boolean keep = node.attrInt("keepdims", 1) != 0;
            boolean noopWhenEmpty = node.attrInt("noop_with_empty_axes", 0) != 0;
            node.expectInputs(1, attrAxes == null ? 2 : 1);
            return Kernel.of(in -> {
                long[] axes = attrAxes != null ? attrAxes : in.length > 1 && in[1] != null ? Values.longs(node, in[1], "axes") : null;
                Tensor x = in[0];
                if ((axes == null || axes.length == 0) && noopWhenEmpty) return x;
                int r = x.dim();
                int[] ax;
                if (axes == null || axes.length == 0) {
                    ax = new int[r];
                    for (int i = 0; i < r; i++) ax[i] = i;
                } else {
                    ax = Values.axes(node, axes, r);
                }
                Arrays.sort(ax);
                Tensor y = before.apply(x);
                if (r == 0) return after.apply(y);
                for (int a : ax) y = each.apply(y, a);
                y = after.apply(y);
                if (!keep) for (int i = ax.length - 1; i >= 0; i--) y = y.squeeze(ax[i]);
                return y;
            });
        };
    }

    static OpCompiler reduce(AxisReduction each) {
        return reduce(x -> x, each, x -> x);
    }

    static Tensor sum(Tensor x, int a) {
        return x.sum(a, true);
    }

    static Tensor mean(Tensor x, int a) {
        return x.mean(a, true);
    }

    static Tensor max(Tensor x, int a) {
        return x.max(a, true);
    }

    static Tensor min(Tensor x, int a) {
        return x.min(a, true);
    }

    static Tensor prod(Tensor x, int a) {
        return x.prod(a, true);
    }

    static Tensor logSumExp(Tensor x, int a) {
        return x.logSumExp(a, true);
    }

    // ------------------------------------------------------------------------------------------ ArgMax, ArgMin

    static OpCompiler argExtreme(boolean max) {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            long axis = node.attrInt("axis", 0);
            boolean keep = node.attrInt("keepdims", 1) != 0;
            boolean last = node.attrInt("select_last_index", 0) != 0;
            return Kernel.of(in -> {
                Tensor x = in[0];
                int a = Values.axis(node, axis, x.dim());
                if (!last) return max ? x.argmax(a, keep) : x.argmin(a, keep);
                int n = x.shape()[a]; // the first extreme of the reversed axis is the last one
                long[] rev = new long[n];
                for (int i = 0; i < n; i++) rev[i] = n - 1 - i;
                Tensor flipped = x.indexSelect(a, Values.ofLongs(rev));
                Tensor idx = max ? flipped.argmax(a, keep) : flipped.argmin(a, keep);
                return idx.neg().add(n - 1);
            });
        };
    }

    // ----------------------------------------------------------------------------------- Softmax, LogSoftmax

    /**
     * Softmax along {@code axis} (default −1) from opset 13; before, the input was seen as 2-D, dimensions before
     * {@code axis} (default 1) as rows, the rest as one row each.
     */
    static OpCompiler softmax(boolean log) {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            boolean flattening = node.opset < 13;
            long axis = node.attrInt("axis", flattening ? 1 : -1);
            return Kernel.of(in -> {
                Tensor x = in[0];
                if (x.dtype() == DType.INT64 || x.dtype() == DType.BOOL) throw node.badInput("expects a float tensor, got " + x.dtype());
                int r = x.dim();
                if (r == 0) return log ? x.sub(x) : x.sub(x).add(1);
                int a = Values.axis(node, axis, r);
                if (!flattening) return log ? x.logSoftmax(a) : x.softmax(a);
                int[] s = x.shape();
                int outer = 1, inner = 1;
                for (int i = 0; i < r; i++) {
                    if (i < a) outer *= s[i];
                    else inner *= s[i];
                }
                Tensor rows = x.reshape(outer, inner);
                return (log ? rows.logSoftmax(1) : rows.softmax(1)).reshape(s);
            });
        };
    }
}
