package io.chainrule;

import io.chainrule.autograd.Autograd;
import io.chainrule.tensor.Loops;
import io.chainrule.tensor.Shapes;

import java.util.Arrays;

import static io.chainrule.Recorder.inputs;
import static io.chainrule.Recorder.record;
import static io.chainrule.Recorder.traced;

/**
 * Indexing ops, each forward next to its derivative. They come in adjoint pairs — indexSelect/indexAdd and
 * gather/scatterAdd — so each one's gradient is the other and higher derivatives follow.
 */
final class IndexOps {
    private IndexOps() {}

    /** The index values as longs, each checked against {@code size}. */
    private static long[] checkedIndices(String op, Tensor index, int size, int dim) {
        if (index.dtype != DType.INT64) {
            throw new IllegalArgumentException(op + ": index must be an INT64 tensor, got " + index.dtype
                    + " (shape " + Arrays.toString(index.shape) + ")");
        }
        long[] idx = index.toLongArray();
        for (long v : idx) {
            if (v < 0 || v >= size) {
                throw new IllegalArgumentException(op + ": index " + v + " is out of bounds for dimension " + dim
                        + " with size " + size);
            }
        }
        return idx;
    }

    // ------------------------------------------------------------------------------------ indexSelect, indexAdd

    static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        if (index.shape.length > 1) {
            throw new IllegalArgumentException("indexSelect: index must be 0-D or 1-D, got shape " + Arrays.toString(index.shape));
        }
        if (x.shape.length == 0) throw new IllegalArgumentException("indexSelect: cannot index a 0-dimensional tensor");
        int d = Shapes.normalizeDim("indexSelect", dim, x.shape.length);
        long[] idx = checkedIndices("indexSelect", index, x.shape[d], d);
        Tensor c = x.contiguousRaw();
        int outer = Shapes.prod(c.shape, 0, d), n = c.shape[d], inner = Shapes.prod(c.shape, d + 1, c.shape.length);
        int[] shape = c.shape.clone();
        shape[d] = idx.length;
        Tensor out = Tensor.allocate(x.dtype, shape);
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < idx.length; j++) {
                System.arraycopy(c.data(), c.offset + (o * n + (int) idx[j]) * inner, out.data(), (o * idx.length + j) * inner, inner);
            }
        }
        int[] inShape = x.shape;
        Tensor r = record(out, "IndexSelectBackward0", (g, need) ->
                new Tensor[] {Tensor.zeros(g.dtype, inShape).indexAdd(d, index, g)}, inputs(x), index);
        return OpTracer.isTracing() ? traced(r, "dim", d, "index", index) : r;
    }

    static Tensor indexAdd(Tensor self, int dim, Tensor index, Tensor source) {
        if (index.shape.length > 1) {
            throw new IllegalArgumentException("indexAdd: index must be 0-D or 1-D, got shape " + Arrays.toString(index.shape));
        }
        int d = Shapes.normalizeDim("indexAdd", dim, self.shape.length);
        long[] idx = checkedIndices("indexAdd", index, self.shape[d], d);
        int[] expected = self.shape.clone();
        expected[d] = idx.length;
        if (!Arrays.equals(source.shape, expected)) {
            throw new IllegalArgumentException("indexAdd: source has shape " + Arrays.toString(source.shape)
                    + " but self " + Arrays.toString(self.shape) + " and " + idx.length + " indices need " + Arrays.toString(expected));
        }
        Tensor out = self.cloneRaw();
        Tensor src = source.castRaw(self.dtype).contiguousRaw();
        int outer = Shapes.prod(self.shape, 0, d), n = self.shape[d], inner = Shapes.prod(self.shape, d + 1, self.shape.length);
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < idx.length; j++) {
                addBlock(src.data(), src.offset + (o * idx.length + j) * inner, out.data(), (o * n + (int) idx[j]) * inner, inner);
            }
        }
        return record(out, "IndexAddBackward0", (g, need) ->
                new Tensor[] {g, need[1] ? g.indexSelect(d, index) : null}, inputs(self, source), index);
    }

    private static void addBlock(Object src, int s, Object dst, int d, int n) {
        if (dst instanceof float[] o) {
            float[] a = (float[]) src;
            for (int i = 0; i < n; i++) o[d + i] += a[s + i];
        } else if (dst instanceof double[] o) {
            double[] a = (double[]) src;
            for (int i = 0; i < n; i++) o[d + i] += a[s + i];
        } else {
            for (int i = 0; i < n; i++) Loops.write(dst, d + i, Loops.read(dst, d + i) + Loops.read(src, s + i));
        }
    }

    // --------------------------------------------------------------------------------------- gather, scatterAdd

    /** Checks the index's rank and extents against x, as torch.gather and scatter_add do. */
    private static void checkGatherShapes(String op, Tensor x, Tensor index, int d, Tensor src) {
        if (index.shape.length != x.shape.length) {
            throw new IllegalArgumentException(op + ": index has rank " + index.shape.length + " but the tensor has rank "
                    + x.shape.length + " (shapes " + Arrays.toString(index.shape) + " and " + Arrays.toString(x.shape) + ")");
        }
        for (int i = 0; i < x.shape.length; i++) {
            if (i != d && index.shape[i] > x.shape[i]) {
                throw new IllegalArgumentException(op + ": index shape " + Arrays.toString(index.shape) + " exceeds the tensor's "
                        + Arrays.toString(x.shape) + " at dimension " + i);
            }
            if (src != null && index.shape[i] > src.shape[i]) {
                throw new IllegalArgumentException(op + ": index shape " + Arrays.toString(index.shape) + " exceeds src's "
                        + Arrays.toString(src.shape) + " at dimension " + i);
            }
        }
    }

    /**
     * Visits every element of {@code index}: calls {@code body(p, q)} with p the position in the (contiguous)
     * index/src layout and q the position in x's contiguous layout with dim replaced by the index value.
     */
    private interface Visit { void at(int indexPos, int srcPos, int targetPos); }

    private static void forEachIndex(int[] indexShape, int[] srcStrides, int[] targetStrides, int d, long[] idx, Visit body) {
        int r = indexShape.length;
        int[] pos = new int[r];
        int n = idx.length;
        for (int p = 0; p < n; p++) {
            int s = 0, t = 0;
            for (int i = 0; i < r; i++) {
                s += pos[i] * srcStrides[i];
                t += (i == d ? (int) idx[p] : pos[i]) * targetStrides[i];
            }
            body.at(p, s, t);
            for (int i = r - 1; i >= 0; i--) {
                if (++pos[i] < indexShape[i]) break;
                pos[i] = 0;
            }
        }
    }

    static Tensor gather(Tensor x, int dim, Tensor index) {
        int d = Shapes.normalizeDim("gather", dim, x.shape.length);
        checkGatherShapes("gather", x, index, d, null);
        long[] idx = checkedIndices("gather", index, x.shape.length == 0 ? 1 : x.shape[d], d);
        if (x.shape.length == 0) return x.clone(); // a 0-d tensor and the index 0: itself
        Tensor c = x.contiguousRaw();
        Tensor out = Tensor.allocate(x.dtype, index.shape.clone());
        Object src = c.data(), dst = out.data();
        int base = c.offset;
        if (src instanceof float[] f) {
            float[] o = (float[]) dst;
            forEachIndex(index.shape, out.strides, c.strides, d, idx, (p, s, t) -> o[p] = f[base + t]);
        } else if (src instanceof double[] f) {
            double[] o = (double[]) dst;
            forEachIndex(index.shape, out.strides, c.strides, d, idx, (p, s, t) -> o[p] = f[base + t]);
        } else {
            forEachIndex(index.shape, out.strides, c.strides, d, idx, (p, s, t) -> Loops.write(dst, p, Loops.read(src, base + t)));
        }
        int[] inShape = x.shape;
        Tensor r = record(out, "GatherBackward0", (g, need) ->
                new Tensor[] {Tensor.zeros(g.dtype, inShape).scatterAdd(d, index, g)}, inputs(x), index);
        return OpTracer.isTracing() ? traced(r, "dim", d, "index", index) : r;
    }

    /**
     * −Σ logProbs[n, targets[n]] over n, divided by N when {@code mean}: gather, neg and the reduction as one node
     * (PyTorch's NllLossBackward0), the same numbers as the three ops. logProbs [N, C]; targets INT64 [N] in range.
     */
    static Tensor nllLoss(Tensor logProbs, Tensor targets, boolean mean) {
        Tensor index = targets.unsqueeze(1), out;
        try (var g = Autograd.noGrad()) {
            Tensor picked = logProbs.gather(1, index).neg();
            out = mean ? picked.mean() : picked.sum();
        }
        int[] shape = logProbs.shape;
        int n = shape[0];
        return record(out, "NllLossBackward0", (g, need) -> {
            Tensor share = g.neg();
            if (mean) share = share.div(Tensor.scalar(n, share.dtype));
            return new Tensor[] {Tensor.zeros(g.dtype, shape).scatterAdd(1, index, share.expand(n, 1))};
        }, inputs(logProbs), index);
    }

    static Tensor scatterAdd(Tensor self, int dim, Tensor index, Tensor src) {
        int d = Shapes.normalizeDim("scatterAdd", dim, self.shape.length);
        checkGatherShapes("scatterAdd", self, index, d, src);
        long[] idx = checkedIndices("scatterAdd", index, self.shape[d], d);
        Tensor out = self.cloneRaw();
        Tensor s = src.castRaw(self.dtype).contiguousRaw();
        Object from = s.data(), to = out.data();
        int base = s.offset;
        if (to instanceof float[] o) {
            float[] a = (float[]) from;
            forEachIndex(index.shape, s.strides, out.strides, d, idx, (p, sp, t) -> o[t] += a[base + sp]);
        } else if (to instanceof double[] o) {
            double[] a = (double[]) from;
            forEachIndex(index.shape, s.strides, out.strides, d, idx, (p, sp, t) -> o[t] += a[base + sp]);
        } else {
            forEachIndex(index.shape, s.strides, out.strides, d, idx,
                    (p, sp, t) -> Loops.write(to, t, Loops.read(to, t) + Loops.read(from, base + sp)));
        }
        int[] srcShape = src.shape;
        return record(out, "ScatterAddBackward0", (g, need) ->
                new Tensor[] {g, need[1] ? padTo(g.gather(d, index), srcShape) : null}, inputs(self, src), index);
    }

    /** Zero-pads {@code g} at the end of each dimension up to {@code shape}: src entries no index reads get no gradient. */
    private static Tensor padTo(Tensor g, int[] shape) {
        Tensor r = g;
        for (int i = 0; i < shape.length; i++) {
            if (r.shape[i] == shape[i]) continue;
            int[] s = r.shape.clone();
            s[i] = shape[i];
            r = ShapeOps.unnarrow(r, s, i, 0);
        }
        return r;
    }
}
