package io.chainrule;

import io.chainrule.tensor.Reduce;
import io.chainrule.tensor.Shapes;

import java.util.Arrays;

import static io.chainrule.Recorder.inputs;
import static io.chainrule.Recorder.record;
import static io.chainrule.Recorder.traced;

/**
 * Reductions and softmax, each forward next to its derivative. Gradients of a reduction are broadcast back with
 * {@code expand} (a view: no copy). Composite reductions (mean, var, logSumExp) are written in other ops, so their
 * derivatives of every order come from those.
 */
final class ReduceOps {
    private ReduceOps() {}

    /** The shape after reducing {@code dim}: kept as size 1 or removed. */
    private static int[] reducedShape(int[] shape, int dim, boolean keepDim) {
        if (keepDim) {
            int[] s = shape.clone();
            s[dim] = 1;
            return s;
        }
        int[] s = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != dim) s[j++] = shape[i];
        return s;
    }

    /** Runs a reduction kernel along {@code dim} (or over everything when dim is null); returns values and indices. */
    private static Tensor reduceRaw(Tensor x, Integer dim, boolean keepDim, Reduce.Kind kind, long[][] indicesOut) {
        DType compute = x.dtype.isFloatingPoint() ? x.dtype : DType.FLOAT64;
        Tensor c = x.castRaw(compute).contiguousRaw();
        int outer, n, inner;
        int[] outShape;
        if (dim == null) {
            outer = 1;
            n = c.numel();
            inner = 1;
            outShape = new int[0];
        } else {
            outer = Shapes.prod(c.shape, 0, dim);
            n = c.shape[dim];
            inner = Shapes.prod(c.shape, dim + 1, c.shape.length);
            outShape = reducedShape(c.shape, dim, keepDim);
        }
        if (n == 0 && (kind == Reduce.Kind.MAX || kind == Reduce.Kind.MIN)) {
            throw new IllegalArgumentException(kind.name().toLowerCase(java.util.Locale.ROOT) + ": cannot reduce over an "
                    + "empty dimension (shape " + Arrays.toString(x.shape) + ")");
        }
        Tensor out = Tensor.allocate(compute, outShape);
        long[] idx = indicesOut == null ? null : new long[out.numel()];
        Reduce.reduce(kind, c.data(), c.offset, outer, n, inner, out.data(), idx);
        if (indicesOut != null) indicesOut[0] = idx;
        if (x.dtype.isFloatingPoint()) return out;
        return out.castRaw(kind == Reduce.Kind.MAX || kind == Reduce.Kind.MIN ? x.dtype == DType.BOOL ? DType.BOOL : DType.INT64 : DType.INT64);
    }

    /** Broadcasts a reduced gradient back over the input's shape. */
    private static Tensor expandBack(Tensor g, int[] inputShape, int dim, boolean keepDim) {
        Tensor kept = keepDim ? g : g.unsqueeze(dim);
        return kept.expand(inputShape);
    }

    // ----------------------------------------------------------------------------------------------------- sum

    static Tensor sum(Tensor x) {
        Tensor out = reduceRaw(x, null, false, Reduce.Kind.SUM, null);
        int[] shape = x.shape;
        return record(out, "SumBackward0", (g, need) -> new Tensor[] {g.expand(shape)}, inputs(x));
    }

    static Tensor sum(Tensor x, int dim, boolean keepDim) {
        int d = Shapes.normalizeDim("sum", dim, x.shape.length); // a 0-d tensor takes dim 0 or -1, as in PyTorch
        if (x.shape.length == 0) return sum(x);
        Tensor out = reduceRaw(x, d, keepDim, Reduce.Kind.SUM, null);
        int[] shape = x.shape;
        Tensor r = record(out, "SumBackward1", (g, need) -> new Tensor[] {expandBack(g, shape, d, keepDim)}, inputs(x));
        return OpTracer.isTracing() ? traced(r, "dim", d, "keepDim", keepDim) : r;
    }

    static Tensor mean(Tensor x) {
        requireFloat("mean", x);
        return Recorder.named(x.sum().div(Math.max(x.numel(), 0)), "MeanBackward0");
    }

    static Tensor mean(Tensor x, int dim, boolean keepDim) {
        requireFloat("mean", x);
        int d = Shapes.normalizeDim("mean", dim, x.shape.length);
        int n = x.shape.length == 0 ? 1 : x.shape[d];
        return Recorder.named(x.sum(d, keepDim).div(n), "MeanBackward1");
    }

    /** Sums a broadcast tensor down to {@code target} (the adjoint of broadcasting). */
    static Tensor sumToSize(Tensor x, int[] target) {
        if (Arrays.equals(x.shape, target)) return x;
        int lead = x.shape.length - target.length;
        boolean ok = lead >= 0;
        for (int i = 0; ok && i < target.length; i++) ok = target[i] == x.shape[i + lead] || target[i] == 1;
        if (!ok) {
            throw new IllegalArgumentException("sumToSize: shape " + Arrays.toString(x.shape)
                    + " cannot be summed to " + Arrays.toString(target));
        }
        Tensor r = x;
        for (int i = 0; i < lead; i++) r = r.sum(0, false);
        for (int i = 0; i < target.length; i++) if (target[i] == 1 && r.shape[i] != 1) r = r.sum(i, true);
        return r;
    }

    // ---------------------------------------------------------------------------------------------- max, min

    /** Max or min of all elements; the gradient is shared evenly among ties (PyTorch's rule for full reductions). */
    static Tensor extreme(Tensor x, boolean max) {
        Tensor out = reduceRaw(x, null, false, max ? Reduce.Kind.MAX : Reduce.Kind.MIN, null);
        return record(out, max ? "MaxBackward1" : "MinBackward1", (g, need) -> {
            Tensor ties = x.eq(out).to(g.dtype);
            return new Tensor[] {ties.mul(g.div(ties.sum()))};
        }, inputs(x), x, out);
    }

    /** Max or min along {@code dim}; the gradient goes to the first extreme (the index argmax/argmin gives). */
    static Tensor extreme(Tensor x, int dim, boolean keepDim, boolean max) {
        String op = max ? "max" : "min";
        int d = Shapes.normalizeDim(op, dim, x.shape.length);
        if (x.shape.length == 0) return x.clone();
        long[][] idx = new long[1][];
        Tensor out = reduceRaw(x, d, keepDim, max ? Reduce.Kind.MAX : Reduce.Kind.MIN, idx);
        Tensor indices = Tensor.wrap(idx[0], DType.INT64, reducedShape(x.shape, d, true));
        int[] shape = x.shape;
        Tensor r = record(out, max ? "MaxBackward0" : "MinBackward0", (g, need) -> {
            Tensor positions = Tensor.arange(DType.INT64, 0, shape[d], 1).reshape(positionShape(shape.length, d, shape[d]));
            Tensor oneHot = positions.eq(indices);
            return new Tensor[] {expandBack(g, shape, d, keepDim).mul(oneHot)};
        }, inputs(x));
        return OpTracer.isTracing() ? traced(r, "dim", d, "keepDim", keepDim) : r;
    }

    /** Shape [1, .., n, .., 1] with n at dim: positions along dim, broadcastable against the input. */
    private static int[] positionShape(int rank, int dim, int n) {
        int[] s = new int[rank];
        Arrays.fill(s, 1);
        s[dim] = n;
        return s;
    }

    static Tensor argExtreme(Tensor x, int dim, boolean keepDim, boolean max) {
        String op = max ? "argmax" : "argmin";
        int d = Shapes.normalizeDim(op, dim, x.shape.length);
        if (x.shape.length == 0) return Tensor.scalar(0, DType.INT64);
        if (x.shape[d] == 0) {
            throw new IllegalArgumentException(op + ": cannot reduce over the empty dimension " + d + " (shape "
                    + Arrays.toString(x.shape) + ")");
        }
        long[][] idx = new long[1][];
        reduceRaw(x, d, keepDim, max ? Reduce.Kind.MAX : Reduce.Kind.MIN, idx);
        Tensor out = Tensor.wrap(idx[0], DType.INT64, reducedShape(x.shape, d, keepDim));
        // indices record no node, but a trace must still see them
        return OpTracer.isTracing() ? OpTracer.op(out, max ? "ArgMax" : "ArgMin", inputs(x), "dim", d, "keepDim", keepDim) : out;
    }

    static Tensor any(Tensor x) {
        boolean[] b = x.toBooleanArray();
        for (boolean v : b) if (v) return Tensor.scalar(1, DType.BOOL);
        return Tensor.scalar(0, DType.BOOL);
    }

    static Tensor all(Tensor x) {
        boolean[] b = x.toBooleanArray();
        for (boolean v : b) if (!v) return Tensor.scalar(0, DType.BOOL);
        return Tensor.scalar(1, DType.BOOL);
    }

    // ---------------------------------------------------------------------------------------------------- prod

    static Tensor prod(Tensor x) {
        Tensor out = reduceRaw(x, null, false, Reduce.Kind.PROD, null);
        return record(out, "ProdBackward0", (g, need) -> new Tensor[] {prodGrad(g.expand(x.shape), x, out.expand(x.shape), null)}, inputs(x), x, out);
    }

    static Tensor prod(Tensor x, int dim, boolean keepDim) {
        int d = Shapes.normalizeDim("prod", dim, x.shape.length);
        if (x.shape.length == 0) return prod(x);
        Tensor out = reduceRaw(x, d, keepDim, Reduce.Kind.PROD, null);
        int[] shape = x.shape;
        Tensor r = record(out, "ProdBackward1", (g, need) -> new Tensor[] {prodGrad(expandBack(g, shape, d, keepDim), x,
                expandBack(out, shape, d, keepDim), d)}, inputs(x), x, out);
        return OpTracer.isTracing() ? traced(r, "dim", d, "keepDim", keepDim) : r;
    }

    /**
     * d prod / d x_i = product of the others. Where x has no zero that is prod / x_i; at a zero it is the product of
     * the non-zeros when that zero is the only one in its slice, else 0.
     */
    private static Tensor prodGrad(Tensor g, Tensor x, Tensor prodExpanded, Integer dim) {
        Tensor isZero = x.eq(0.0);
        Tensor one = Tensor.scalar(1.0, x.dtype);
        Tensor safeX = Tensor.where(isZero, one, x);
        Tensor nonZeroProd, zeroCount;
        if (dim == null) {
            nonZeroProd = safeX.prod();
            zeroCount = isZero.sum();
        } else {
            nonZeroProd = safeX.prod(dim, true);
            zeroCount = isZero.sum(dim, true);
        }
        Tensor atZero = Tensor.where(zeroCount.eq(1.0), nonZeroProd, Tensor.scalar(0.0, x.dtype));
        Tensor elsewhere = prodExpanded.div(safeX);
        return g.mul(Tensor.where(isZero, atZero.expand(x.shape), elsewhere));
    }

    // ---------------------------------------------------------------------------------------- var, lse, norm

    static Tensor var(Tensor x) {
        requireFloat("var", x);
        Tensor centered = x.sub(x.mean());
        return Recorder.named(centered.square().sum().div(x.numel() - 1), "VarBackward0");
    }

    static Tensor var(Tensor x, int dim, boolean keepDim) {
        requireFloat("var", x);
        int d = Shapes.normalizeDim("var", dim, x.shape.length);
        int n = x.shape.length == 0 ? 1 : x.shape[d];
        Tensor centered = x.sub(x.mean(d, true));
        return Recorder.named(centered.square().sum(d, keepDim).div(n - 1), "VarBackward0");
    }

    /** m + log Σ exp(x − m) with m the (detached) max; an all −inf slice gives −inf, not NaN. */
    static Tensor logSumExp(Tensor x) {
        requireFloat("logSumExp", x);
        Tensor m = finiteOrZero(x.detach().max());
        return Recorder.named(x.sub(m).exp().sum().log().add(m), "LogsumexpBackward0");
    }

    static Tensor logSumExp(Tensor x, int dim, boolean keepDim) {
        requireFloat("logSumExp", x);
        int d = Shapes.normalizeDim("logSumExp", dim, x.shape.length);
        Tensor m = finiteOrZero(x.detach().max(d, true));
        Tensor lse = x.sub(m).exp().sum(d, true).log().add(m);
        return Recorder.named(keepDim ? lse : lse.squeeze(d).ownsStorage(), "LogsumexpBackward0");
    }

    private static Tensor finiteOrZero(Tensor m) {
        Tensor infinite = m.abs().eq(Double.POSITIVE_INFINITY);
        return Tensor.where(infinite, Tensor.scalar(0.0, m.dtype), m);
    }

    /** ‖x‖₂; its gradient x/‖x‖ is defined as 0 at the origin (PyTorch's subgradient). */
    static Tensor norm(Tensor x) {
        requireFloat("norm", x);
        Tensor out;
        try (var g = io.chainrule.autograd.Autograd.noGrad()) {
            out = x.square().sum().sqrt();
        }
        return record(out, "NormBackward1", (g, need) -> {
            Tensor scale = Tensor.where(out.eq(0.0), Tensor.scalar(0.0, g.dtype), g.div(out));
            return new Tensor[] {x.mul(scale)};
        }, inputs(x), x, out);
    }

    // ------------------------------------------------------------------------------------------------ softmax

    /** Softmax or log-softmax along {@code dim}, with fused, overflow-safe kernels. */
    static Tensor softmax(Tensor x, int dim, boolean log) {
        String op = log ? "logSoftmax" : "softmax";
        DType t = PointwiseOps.floatType(x.dtype);
        int d = Shapes.normalizeDim(op, dim, x.shape.length);
        Tensor c = x.castRaw(t).contiguousRaw();
        Tensor out = Tensor.allocate(t, x.shape.clone());
        if (x.shape.length == 0) {
            out.fillRaw(log ? 0.0 : 1.0);
        } else {
            Reduce.softmax(c.data(), c.offset, Shapes.prod(c.shape, 0, d), c.shape[d], Shapes.prod(c.shape, d + 1, c.shape.length),
                    out.data(), log);
        }
        if (x.shape.length == 0) return record(out, log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", (g, need) -> new Tensor[] {g.mul(0.0)}, inputs(x));
        Tensor r = log
                // d/dx: g − softmax · Σ g
                ? record(out, "LogSoftmaxBackward0", (g, need) -> new Tensor[] {g.sub(out.exp().mul(g.sum(d, true)))}, inputs(x), out)
                // d/dx: y · (g − Σ g·y)
                : record(out, "SoftmaxBackward0", (g, need) -> new Tensor[] {out.mul(g.sub(g.mul(out).sum(d, true)))}, inputs(x), out);
        return OpTracer.isTracing() ? traced(r, "dim", d) : r;
    }

    private static void requireFloat(String op, Tensor x) {
        if (!x.dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": needs a floating-point tensor, got " + x.dtype + " (shape "
                    + Arrays.toString(x.shape) + "); convert with to(DType.FLOAT32)");
        }
    }
}
