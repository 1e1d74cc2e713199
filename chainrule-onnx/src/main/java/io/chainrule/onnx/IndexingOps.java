package io.chainrule.onnx;

import io.chainrule.DType;
import io.chainrule.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Ops that select by position: Hardmax, OneHot, Trilu, EyeLike, CumSum, TopK, NonZero, DepthToSpace and
 * SpaceToDepth. Positions are computed as plain values; the selected values are picked with chainrule ops
 * (where, gather, matmul, reshape), so gradients reach them.
 */
final class IndexingOps {
    private IndexingOps() {}

    /** 0, 1, ..., n − 1 (INT64) laid along dimension {@code axis} of a rank-{@code rank} tensor. */
    private static Tensor positions(int n, int axis, int rank) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = i;
        int[] shape = new int[rank];
        Arrays.fill(shape, 1);
        shape[axis] = n;
        return Tensor.of(v, n).reshape(shape);
    }

    static OpCompiler hardmax() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            boolean flattening = node.opset < 13;
            long axis = node.attrInt("axis", flattening ? 1 : -1);
            return Kernel.of(in -> {
                Tensor x = in[0];
                int[] s = x.shape();
                int a = Values.axis(node, axis, s.length);
                Tensor v = x;
                if (flattening) {
                    int outer = 1;
                    for (int i = 0; i < a; i++) outer *= s[i];
                    v = x.reshape(outer, x.numel() / Math.max(outer, 1));
                    a = 1;
                }
                Tensor first = v.argmax(a, true); // the first maximum wins, as ONNX specifies
                return positions(v.shape()[a], a, v.dim()).eq(first).to(x.dtype()).reshape(s);
            });
        };
    }

    static OpCompiler oneHot() {
        return node -> {
            node.expectInputs(3, 3);
            node.expectOutputs(1, 1);
            long axis = node.attrInt("axis", -1);
            return Kernel.of(in -> {
                Tensor indices = in[0].dtype() == DType.INT64 ? in[0] : in[0].to(DType.INT64);
                long depth = (long) Values.scalar(node, in[1], "depth");
                if (depth < 1) throw node.badInput("depth must be positive, got " + depth);
                if (in[2].numel() != 2) throw node.badInput("values must be [off, on], got shape " + Arrays.toString(in[2].shape()));
                Values.checkAllocation(node, depth * Math.max(1, indices.numel()), "a one-hot tensor");
                int r = indices.dim() + 1;
                if (axis < -r || axis >= r) throw node.badInput("axis " + axis + " is out of range for rank " + r);
                int a = (int) (axis < 0 ? axis + r : axis);
                Tensor idx = indices.lt(0).where(indices.add(depth), indices).unsqueeze(a);
                Tensor off = in[2].reshape(2).select(0, 0), on = in[2].reshape(2).select(0, 1);
                return positions((int) depth, a, r).eq(idx).where(on, off);
            });
        };
    }

    static OpCompiler trilu() {
        return node -> {
            node.expectInputs(1, 2);
            node.expectOutputs(1, 1);
            boolean upper = node.attrInt("upper", 1) != 0;
            return Kernel.of(in -> {
                Tensor x = in[0];
                if (x.dim() < 2) throw node.badInput("expects at least 2-D input, got shape " + Arrays.toString(x.shape()));
                long k = in.length > 1 && in[1] != null ? (long) Values.scalar(node, in[1], "k") : 0;
                int rows = x.size(x.dim() - 2), cols = x.size(x.dim() - 1);
                boolean[] keep = new boolean[rows * cols];
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) keep[i * cols + j] = upper ? j - i >= k : j - i <= k;
                }
                Tensor mask = Tensor.of(keep, keep.length).reshape(rows, cols);
                return mask.where(x, Tensor.scalar(0, x.dtype()));
            });
        };
    }

    static OpCompiler eyeLike() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            long k = node.attrInt("k", 0);
            Integer to = node.has("dtype") ? (int) node.attrInt("dtype", 1) : null;
            DType target = to == null ? null : TensorDecoder.dtypeOf(to);
            if (to != null && target == null) throw node.unsupported("dtype " + TensorDecoder.typeName(to));
            return Kernel.of(in -> {
                if (in[0].dim() != 2) throw node.badInput("expects a 2-D input, got shape " + Arrays.toString(in[0].shape()));
                int rows = in[0].size(0), cols = in[0].size(1);
                double[] v = new double[rows * cols];
                for (int i = 0; i < rows; i++) {
                    long j = i + k;
                    if (j >= 0 && j < cols) v[i * cols + (int) j] = 1;
                }
                Tensor eye = Tensor.of(v, v.length).reshape(rows, cols);
                DType t = target != null ? target : in[0].dtype();
                return t == DType.BOOL ? eye.ne(0) : eye.to(t);
            });
        };
    }

    /** CumSum as a product with a triangular matrix of ones along the axis, so it differentiates like any matmul. */
    static OpCompiler cumSum() {
        return node -> {
            node.expectInputs(2, 2);
            node.expectOutputs(1, 1);
            boolean exclusive = node.attrInt("exclusive", 0) != 0, reverse = node.attrInt("reverse", 0) != 0;
            return Kernel.of(in -> {
                Tensor x = in[0];
                int a = Values.axis(node, (long) Values.scalar(node, in[1], "axis"), x.dim());
                int n = x.size(a);
                Values.checkAllocation(node, (long) n * n, "a cumulative sum over " + n + " values");
                double[] tri = new double[n * n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        boolean in1 = reverse ? (exclusive ? i > j : i >= j) : (exclusive ? i < j : i <= j);
                        tri[i * n + j] = in1 ? 1 : 0;
                    }
                }
                DType t = x.dtype().isFloatingPoint() ? x.dtype() : DType.FLOAT64;
                Tensor m = Tensor.of(tri, tri.length).reshape(n, n).to(t);
                Tensor y = x.to(t).transpose(a, x.dim() - 1).matmul(m).transpose(a, x.dim() - 1);
                return y.dtype() == x.dtype() ? y : y.to(x.dtype());
            });
        };
    }

    /** TopK: the k largest (or smallest) along an axis, sorted, ties to the lower index; values picked with gather. */
    static OpCompiler topK() {
        return node -> {
            node.expectInputs(2, 2);
            node.expectOutputs(2, 2);
            long axis = node.attrInt("axis", -1);
            boolean largest = node.attrInt("largest", 1) != 0;
            node.attrInt("sorted", 1); // the result is always sorted, which "unsorted" allows
            return in -> {
                Tensor x = in[0];
                int a = Values.axis(node, axis, x.dim());
                long[] kv = Values.longs(node, in[1], "K");
                if (kv.length != 1 || kv[0] < 0 || kv[0] > x.size(a)) throw node.badInput("K " + Arrays.toString(kv) + " for axis of size " + x.size(a));
                int k = (int) kv[0], n = x.size(a);
                Tensor moved = x.transpose(a, x.dim() - 1).contiguous();
                double[] v = moved.to(DType.FLOAT64).toDoubleArray();
                int rows = n == 0 ? 0 : v.length / n;
                long[] idx = new long[rows * k];
                Integer[] order = new Integer[n];
                for (int r = 0; r < rows; r++) {
                    int base = r * n;
                    for (int i = 0; i < n; i++) order[i] = i;
                    Comparator<Integer> byValue = (p, q) -> Double.compare(v[base + p], v[base + q]);
                    Arrays.sort(order, largest ? byValue.reversed().thenComparing(i -> i) : byValue.thenComparing(i -> i));
                    for (int i = 0; i < k; i++) idx[r * k + i] = order[i];
                }
                int[] shape = moved.shape();
                shape[shape.length - 1] = k;
                Tensor indices = Tensor.of(idx, idx.length).reshape(shape).transpose(a, x.dim() - 1).contiguous();
                return new Tensor[] {x.gather(a, indices), indices};
            };
        };
    }

    static Tensor nonZero(Tensor x) {
        double[] v = x.to(DType.FLOAT64).toDoubleArray();
        int[] s = x.shape();
        List<long[]> hits = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            if (v[i] == 0) continue;
            long[] coord = new long[s.length];
            for (int d = s.length - 1, rest = i; d >= 0; d--) {
                coord[d] = rest % s[d];
                rest /= s[d];
            }
            hits.add(coord);
        }
        int r = Math.max(s.length, 1);
        long[] out = new long[r * hits.size()];
        for (int j = 0; j < hits.size(); j++) for (int d = 0; d < s.length; d++) out[d * hits.size() + j] = hits.get(j)[d];
        return Tensor.of(out, out.length).reshape(s.length, hits.size());
    }

    static OpCompiler depthToSpace() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            long b = node.attrInt("blocksize", 0);
            if (b < 1 || b > 4096) throw node.malformed("blocksize " + b);
            String mode = node.attrString("mode", "DCR");
            node.require(mode.equals("DCR") || mode.equals("CRD"), "mode '" + mode + "'");
            int bs = (int) b;
            return Kernel.of(in -> {
                Tensor x = in[0];
                if (x.dim() != 4 || x.size(1) % (bs * bs) != 0) throw node.badInput("expects [N, C, H, W] with C divisible by " + bs * bs);
                int n = x.size(0), c = x.size(1) / (bs * bs), h = x.size(2), w = x.size(3);
                Tensor y = mode.equals("DCR")
                        ? x.reshape(n, bs, bs, c, h, w).permute(0, 3, 4, 1, 5, 2)
                        : x.reshape(n, c, bs, bs, h, w).permute(0, 1, 4, 2, 5, 3);
                return y.reshape(n, c, h * bs, w * bs);
            });
        };
    }

    static OpCompiler spaceToDepth() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            long b = node.attrInt("blocksize", 0);
            if (b < 1 || b > 4096) throw node.malformed("blocksize " + b);
            int bs = (int) b;
            return Kernel.of(in -> {
                Tensor x = in[0];
                if (x.dim() != 4 || x.size(2) % bs != 0 || x.size(3) % bs != 0) {
                    throw node.badInput("expects [N, C, H, W] with H and W divisible by " + bs + ", got " + Arrays.toString(x.shape()));
                }
                int n = x.size(0), c = x.size(1), h = x.size(2) / bs, w = x.size(3) / bs;
                return x.reshape(n, c, h, bs, w, bs).permute(0, 3, 5, 1, 2, 4).reshape(n, c * bs * bs, h, w);
            });
        };
    }
}
