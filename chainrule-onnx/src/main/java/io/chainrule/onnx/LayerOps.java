package io.chainrule.onnx;

import io.chainrule.DType;
import io.chainrule.LayerPrimitives;
import io.chainrule.Tensor;
import io.chainrule.nn.F;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * The ops a layer becomes: MatMul and Gemm (Linear), Conv (1-D and 2-D), MaxPool, AveragePool, the global pools,
 * BatchNormalization, LayerNormalization, InstanceNormalization and Dropout. Each runs on chainrule's layer
 * primitives (one convolution op, one max-pool op, one linear op where the attributes allow), so the whole layer is
 * differentiable.
 */
final class LayerOps {
    private LayerOps() {}

    static Tensor matmul(Tensor a, Tensor b) {
        return a.matmul(b);
    }

    /** Y = α·A'·B' + β·C, A' and B' optionally transposed; x·Wᵀ + b (Linear) is one chainrule linear op. */
    static OpCompiler gemm() {
        return node -> {
            node.expectInputs(2, 3);
            node.expectOutputs(1, 1);
            double alpha = node.attrFloat("alpha", 1), beta = node.attrFloat("beta", 1);
            boolean transA = node.attrInt("transA", 0) != 0, transB = node.attrInt("transB", 0) != 0;
            return Kernel.of(in -> {
                Tensor a = in[0], b = in[1], c = in.length > 2 ? in[2] : null;
                if (a.dim() != 2 || b.dim() != 2) {
                    throw node.badInput("A and B must be 2-D, got " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
                }
                if (!transA && transB && alpha == 1 && beta == 1 && (c == null || c.dim() == 1 && c.size(0) == b.size(0))
                        && a.size(1) == b.size(1) && a.dtype().isFloatingPoint()) {
                    return F.linear(a, b, c);
                }
                Tensor y = (transA ? a.t() : a).matmul(transB ? b.t() : b);
                if (alpha != 1) y = y.mul(alpha);
                if (c != null) y = y.add(beta == 1 ? c : c.mul(beta));
                return y;
            });
        };
    }

    // ------------------------------------------------------------------------------------ windows: Conv, pools

    /** A node's window attributes per spatial axis; the padding is settled per input size ({@link #pads}). */
    private record Window(String autoPad, long[] kernel, long[] strides, long[] dilations, long[] pads, boolean ceil) {
        static Window read(OnnxNode node, boolean hasDilations, boolean hasCeil) throws IOException {
            String autoPad = node.attrString("auto_pad", "NOTSET");
            node.require(Arrays.asList("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID").contains(autoPad), "auto_pad '" + autoPad + "'");
            long[] kernel = node.attrInts("kernel_shape");
            long[] strides = node.attrInts("strides");
            long[] dilations = hasDilations ? node.attrInts("dilations") : null;
            long[] pads = node.attrInts("pads");
            boolean ceil = hasCeil && node.attrInt("ceil_mode", 0) != 0;
            if (kernel != null) {
                node.require(kernel.length == 1 || kernel.length == 2, kernel.length + "-D windows (kernel_shape " + Arrays.toString(kernel) + ")");
                for (long k : kernel) if (k < 1 || k > Integer.MAX_VALUE) throw node.malformed("kernel_shape " + Arrays.toString(kernel));
            }
            for (long[] v : new long[][] {strides, dilations}) {
                if (v != null) for (long s : v) if (s < 1 || s > Integer.MAX_VALUE) throw node.malformed("strides/dilations " + Arrays.toString(v));
            }
            if (pads != null) for (long p : pads) if (p < 0 || p > Integer.MAX_VALUE) throw node.malformed("pads " + Arrays.toString(pads));
            return new Window(autoPad, kernel, strides, dilations, pads, ceil);
        }

        /** The value for spatial axis {@code i} of {@code v} (length {@code rank}), or {@code fallback} when absent. */
        int at(OnnxNode node, long[] v, String name, int i, int rank, int fallback) {
            if (v == null) return fallback;
            if (v.length != rank) throw node.badInput(name + " " + Arrays.toString(v) + " for " + rank + " spatial dimensions");
            return (int) v[i];
        }

        /**
         * Padding before and after each spatial axis of {@code in}, with what ceil_mode adds at the end so that the
         * last window fits; returns {begin, end} per axis.
         */
        int[][] pads(OnnxNode node, int[] in, int[] k) {
            return pads(node, in, k, ceil);
        }

        /** As {@link #pads(OnnxNode, int[], int[])}, with or without what ceil_mode adds. */
        int[][] pads(OnnxNode node, int[] in, int[] k, boolean withCeil) {
            int rank = in.length;
            int[][] out = new int[rank][2];
            if (pads != null && pads.length != 2 * rank) throw node.badInput("pads " + Arrays.toString(pads) + " for " + rank + " spatial dimensions");
            for (int i = 0; i < rank; i++) {
                int s = at(node, strides, "strides", i, rank, 1), d = at(node, dilations, "dilations", i, rank, 1);
                long eff = (long) (k[i] - 1) * d + 1;
                int begin, end;
                switch (autoPad) {
                    case "SAME_UPPER", "SAME_LOWER" -> {
                        long total = Math.max(0, ((long) in[i] + s - 1) / s * s - s + eff - in[i]);
                        int small = (int) (total / 2), large = (int) (total - total / 2);
                        begin = autoPad.equals("SAME_UPPER") ? small : large;
                        end = autoPad.equals("SAME_UPPER") ? large : small;
                    }
                    case "VALID" -> { begin = 0; end = 0; }
                    default -> {
                        begin = pads == null ? 0 : (int) pads[i];
                        end = pads == null ? 0 : (int) pads[rank + i];
                    }
                }
                long padded = (long) in[i] + begin + end;
                if (padded < eff) throw node.badInput("the window " + eff + " is larger than the padded input " + padded + " (axis " + i + ")");
                if (withCeil) {
                    long outSize = (padded - eff + s - 1) / s + 1;
                    if ((outSize - 1) * s >= in[i] + begin) outSize--; // the last window must start inside the input
                    end += (int) Math.max(0, (outSize - 1) * s + eff - padded);
                }
                out[i][0] = begin;
                out[i][1] = end;
            }
            return out;
        }
    }

    /** LayerPrimitives.pad's order (last dimension first) for {begin, end} per spatial axis of a 4-D tensor. */
    private static int[] torchOrder(int[][] pads) {
        return new int[] {pads[1][0], pads[1][1], pads[0][0], pads[0][1]};
    }

    /** Sees a 3-D [N, C, L] input as 4-D [N, C, 1, L] (and its window values accordingly). */
    private static int[] as2d(int[] v) {
        return v.length == 1 ? new int[] {1, v[0]} : v;
    }

    private static int[][] as2d(int[][] pads) {
        return pads.length == 1 ? new int[][] {{0, 0}, pads[0]} : pads;
    }

    private static int spatialRank(OnnxNode node, Tensor x) {
        int r = x.dim() - 2;
        if (r < 1) throw node.badInput("expects [N, C, ...] input, got shape " + Arrays.toString(x.shape()));
        if (r > 2) throw node.unsupported(r + "-D input " + Arrays.toString(x.shape()));
        return r;
    }

    static OpCompiler conv() {
        return node -> {
            node.expectInputs(2, 3);
            node.expectOutputs(1, 1);
            Window w = Window.read(node, true, false);
            long group = node.attrInt("group", 1);
            if (group < 1 || group > Integer.MAX_VALUE) throw node.malformed("group " + group);
            return Kernel.of(in -> conv(node, w, (int) group, in[0], in[1], in.length > 2 ? in[2] : null));
        };
    }

    private static Tensor conv(OnnxNode node, Window w, int group, Tensor x, Tensor weight, Tensor bias) {
        int r = spatialRank(node, x);
        if (weight.dim() != r + 2) {
            throw node.badInput("weight " + Arrays.toString(weight.shape()) + " for input " + Arrays.toString(x.shape()));
        }
        int[] in = Arrays.copyOfRange(x.shape(), 2, x.dim()), k = Arrays.copyOfRange(weight.shape(), 2, weight.dim());
        if (w.kernel() != null && !Arrays.equals(Values.toInts(w.kernel()), k)) {
            throw node.badInput("kernel_shape " + Arrays.toString(w.kernel()) + " but weight " + Arrays.toString(weight.shape()));
        }
        int[][] pads = w.pads(node, in, k);
        int[] stride = new int[r], dilation = new int[r];
        for (int i = 0; i < r; i++) {
            stride[i] = w.at(node, w.strides(), "strides", i, r, 1);
            dilation[i] = w.at(node, w.dilations(), "dilations", i, r, 1);
        }
        Tensor x4 = r == 1 ? x.unsqueeze(2) : x, w4 = r == 1 ? weight.unsqueeze(2) : weight;
        int[][] p = as2d(pads);
        int[] symmetric = {p[0][0], p[1][0]};
        if (p[0][0] != p[0][1] || p[1][0] != p[1][1]) { // asymmetric: pad explicitly, then convolve unpadded
            x4 = LayerPrimitives.pad(x4, torchOrder(p));
            symmetric = new int[] {0, 0};
        }
        Tensor y = F.conv2d(x4, w4, bias, as2d(stride), symmetric, as2d(dilation), group);
        return r == 1 ? y.squeeze(2) : y;
    }

    /**
     * ConvTranspose (the gradient of a convolution with respect to its input): per group, Wᵀ·x gives each input
     * pixel's contribution to a k×k patch, and fold (col2im) sums the overlapping patches; the padding then crops the
     * border and output_padding adds rows and columns at the end. 1-D and 2-D; output_shape and auto_pad are not
     * supported.
     */
    static OpCompiler convTranspose() {
        return node -> {
            node.expectInputs(2, 3);
            node.expectOutputs(1, 1);
            Window w = Window.read(node, true, false);
            node.require(w.autoPad().equals("NOTSET"), "auto_pad '" + w.autoPad() + "'");
            node.require(!node.has("output_shape"), "attribute 'output_shape'");
            long[] outputPadding = node.attrInts("output_padding");
            long group = node.attrInt("group", 1);
            if (group < 1 || group > Integer.MAX_VALUE) throw node.malformed("group " + group);
            return Kernel.of(in -> convTranspose(node, w, outputPadding, (int) group, in[0], in[1], in.length > 2 ? in[2] : null));
        };
    }

    private static Tensor convTranspose(OnnxNode node, Window w, long[] outputPadding, int group, Tensor x, Tensor weight, Tensor bias) {
        int r = spatialRank(node, x);
        if (weight.dim() != r + 2 || weight.size(0) != x.size(1) || x.size(1) % group != 0) {
            throw node.badInput("weight " + Arrays.toString(weight.shape()) + " for input " + Arrays.toString(x.shape()) + " and group " + group);
        }
        Tensor x4 = r == 1 ? x.unsqueeze(2) : x, w4 = r == 1 ? weight.unsqueeze(2) : weight;
        int[] k = {w4.size(2), w4.size(3)}, s = new int[2], d = new int[2], op = new int[2];
        int[][] pads = new int[2][2];
        for (int i = 0; i < r; i++) {
            int a = r == 1 ? 1 : i;
            s[a] = w.at(node, w.strides(), "strides", i, r, 1);
            d[a] = w.at(node, w.dilations(), "dilations", i, r, 1);
            op[a] = outputPadding == null ? 0 : (int) outputPadding[Math.min(i, outputPadding.length - 1)];
            if (w.pads() != null) {
                if (w.pads().length != 2 * r) throw node.badInput("pads " + Arrays.toString(w.pads()) + " for " + r + " spatial dimensions");
                pads[a] = new int[] {(int) w.pads()[i], (int) w.pads()[r + i]};
            }
        }
        if (r == 1) s[0] = d[0] = 1;
        if (outputPadding != null && outputPadding.length != r) throw node.badInput("output_padding " + Arrays.toString(outputPadding));
        int n = x4.size(0), inC = x4.size(1) / group, outC = w4.size(1), h = x4.size(2), wd = x4.size(3);
        int fullH = (h - 1) * s[0] + (k[0] - 1) * d[0] + 1, fullW = (wd - 1) * s[1] + (k[1] - 1) * d[1] + 1;
        Values.checkAllocation(node, (long) n * outC * group * fullH * fullW, "a transposed convolution's output");
        List<Tensor> groups = new java.util.ArrayList<>();
        for (int g = 0; g < group; g++) {
            Tensor xg = x4.narrow(1, g * inC, inC).reshape(n, inC, h * wd);
            Tensor wg = w4.narrow(0, g * inC, inC).reshape(inC, outC * k[0] * k[1]);
            Tensor cols = wg.t().matmul(xg); // [N, outC·kH·kW, H·W]
            groups.add(LayerPrimitives.fold(cols, new int[] {fullH, fullW}, k, s, new int[] {0, 0}, d));
        }
        Tensor y = group == 1 ? groups.get(0) : Tensor.cat(groups, 1);
        y = LayerPrimitives.pad(y, -pads[1][0], op[1] - pads[1][1], -pads[0][0], op[0] - pads[0][1]);
        if (bias != null) y = y.add(bias.reshape(1, bias.numel(), 1, 1));
        return r == 1 ? y.squeeze(2) : y;
    }

    static OpCompiler maxPool() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(2, 1);
            Window w = Window.read(node, true, true);
            if (w.kernel() == null) throw node.malformed("needs the kernel_shape attribute");
            node.require(node.attrInt("storage_order", 0) == 0, "storage_order 1");
            return Kernel.of(in -> pool(node, w, in[0], true, false));
        };
    }

    static OpCompiler averagePool() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            Window w = Window.read(node, node.opset >= 19, true);
            if (w.kernel() == null) throw node.malformed("needs the kernel_shape attribute");
            boolean countPad = node.attrInt("count_include_pad", 0) != 0;
            return Kernel.of(in -> pool(node, w, in[0], false, countPad));
        };
    }

    private static Tensor pool(OnnxNode node, Window w, Tensor x, boolean max, boolean countPad) {
        int r = spatialRank(node, x);
        if (!x.dtype().isFloatingPoint()) { // integer max pooling: exact in float64
            if (!max || x.dtype() != DType.INT64) throw node.badInput("expects a float tensor, got " + x.dtype());
            return pool(node, w, x.to(DType.FLOAT64), true, false).to(DType.INT64);
        }
        int[] k = Values.toInts(w.kernel());
        if (k.length != r) throw node.badInput("kernel_shape " + Arrays.toString(k) + " for input " + Arrays.toString(x.shape()));
        int[] in = Arrays.copyOfRange(x.shape(), 2, x.dim());
        int[][] pads = w.pads(node, in, k);
        int[] stride = new int[r], dilation = new int[r];
        for (int i = 0; i < r; i++) {
            stride[i] = w.at(node, w.strides(), "strides", i, r, 1);
            dilation[i] = w.at(node, w.dilations(), "dilations", i, r, 1);
        }
        Tensor x4 = r == 1 ? x.unsqueeze(2) : x;
        int[][] p = as2d(pads);
        int[] k2 = as2d(k), s2 = as2d(stride), d2 = as2d(dilation);
        Tensor y = max ? maxPool(x4, p, k2, s2, d2) : avgPool(x4, p, as2d(w.pads(node, in, k, false)), k2, s2, d2, countPad);
        return r == 1 ? y.squeeze(2) : y;
    }

    private static Tensor maxPool(Tensor x4, int[][] p, int[] k, int[] s, int[] d) {
        boolean symmetric = p[0][0] == p[0][1] && p[1][0] == p[1][1] && p[0][0] <= k[0] / 2 && p[1][0] <= k[1] / 2;
        if (symmetric) return LayerPrimitives.maxPool2d(x4, k, s, new int[] {p[0][0], p[1][0]}, d);
        // padding counts as −∞ (it never wins): pad explicitly, then pool without padding
        Tensor padded = Values.padConstant(x4, torchOrder(p), Double.NEGATIVE_INFINITY);
        return LayerPrimitives.maxPool2d(padded, k, s, new int[] {0, 0}, d);
    }

    /**
     * Average pooling as window sums (unfold) divided by how many elements each window counts: the input's own, plus
     * the declared padding when count_include_pad — never the cells ceil_mode adds past it. {@code p} is the padding
     * with ceil_mode's cells, {@code declared} without.
     */
    private static Tensor avgPool(Tensor x4, int[][] p, int[][] declared, int[] k, int[] s, int[] d, boolean countPad) {
        boolean square = k[0] == k[1] && s[0] == s[1] && d[0] == 1 && d[1] == 1;
        boolean even = p[0][0] == p[0][1] && p[1][0] == p[1][1] && p[0][0] == p[1][0] && Arrays.deepEquals(p, declared);
        if (square && even && (countPad || p[0][0] == 0) && p[0][0] <= k[0] / 2) { // PyTorch's AvgPool2d: one op
            return F.avgPool2d(x4, k[0], s[0], p[0][0]);
        }
        int n = x4.size(0), c = x4.size(1);
        Tensor padded = LayerPrimitives.pad(x4, torchOrder(p));
        int[] zero = {0, 0};
        int oh = (padded.size(2) - ((k[0] - 1) * d[0] + 1)) / s[0] + 1, ow = (padded.size(3) - ((k[1] - 1) * d[1] + 1)) / s[1] + 1;
        Tensor sums = LayerPrimitives.unfold(padded, k, s, zero, d).reshape(n, c, k[0] * k[1], oh * ow).sum(2, false).reshape(n, c, oh, ow);
        int[][] counted = countPad ? declared : new int[][] {{0, 0}, {0, 0}};
        Tensor ones = Tensor.ones(x4.dtype(), 1, 1, x4.size(2) + counted[0][0] + counted[0][1], x4.size(3) + counted[1][0] + counted[1][1]);
        Tensor mask = LayerPrimitives.pad(ones, torchOrder(new int[][] {
                {p[0][0] - counted[0][0], p[0][1] - counted[0][1]}, {p[1][0] - counted[1][0], p[1][1] - counted[1][1]}}));
        Tensor counts = LayerPrimitives.unfold(mask, k, s, zero, d).sum(1, false).reshape(1, 1, oh, ow);
        return sums.div(counts);
    }

    static Tensor globalAveragePool(Tensor x) {
        Tensor y = x;
        for (int a = x.dim() - 1; a >= 2; a--) y = y.mean(a, true);
        return y;
    }

    static Tensor globalMaxPool(Tensor x) {
        Tensor y = x;
        for (int a = x.dim() - 1; a >= 2; a--) y = y.max(a, true);
        return y;
    }

    // --------------------------------------------------------------------------------------- normalization

    /** [C] reshaped to broadcast over dimension 1 of a rank-{@code rank} tensor: [C, 1, ..., 1]. */
    private static Tensor perChannel(Tensor v, int rank) {
        int[] s = new int[Math.max(rank - 1, 1)];
        Arrays.fill(s, 1);
        s[0] = v.numel();
        return v.reshape(s);
    }

    /** Inference-mode batch norm: (x − mean)/√(var + ε)·scale + B, per channel (dimension 1). */
    static OpCompiler batchNormalization() {
        return node -> {
            node.expectInputs(5, 5);
            node.expectOutputs(5, 1);
            double eps = node.attrFloat("epsilon", 1e-5);
            node.attrFloat("momentum", 0.9); // only used in training mode, which is refused below
            node.require(node.attrInt("training_mode", 0) == 0, "training_mode 1");
            node.require(node.attrInt("spatial", 1) == 1, "spatial 0");
            node.require(node.attrInt("is_test", 1) == 1, "is_test 0");
            return Kernel.of(in -> {
                Tensor x = in[0];
                if (x.dim() < 2) throw node.badInput("expects [N, C, ...] input, got shape " + Arrays.toString(x.shape()));
                int r = x.dim(), ch = x.size(1);
                for (int i = 1; i < 5; i++) {
                    if (in[i].numel() != ch) throw node.badInput("input " + i + " has " + in[i].numel() + " values for " + ch + " channels");
                }
                Tensor invStd = perChannel(in[4], r).add(eps).sqrt().reciprocal();
                return x.sub(perChannel(in[3], r)).mul(invStd.mul(perChannel(in[1], r))).add(perChannel(in[2], r));
            });
        };
    }

    /** Normalizes over the dimensions from {@code axis} on; the Mean and InvStdDev outputs keep them as size 1. */
    static OpCompiler layerNormalization() {
        return node -> {
            node.expectInputs(2, 3);
            node.expectOutputs(3, 3);
            long axis = node.attrInt("axis", -1);
            double eps = node.attrFloat("epsilon", 1e-5);
            node.attrInt("stash_type", 1); // statistics are computed in the input's own precision
            return in -> {
                Tensor x = in[0];
                int a = Values.axis(node, axis, x.dim());
                Tensor mean = x;
                for (int i = x.dim() - 1; i >= a; i--) mean = mean.mean(i, true);
                Tensor centered = x.sub(mean);
                Tensor var = centered.square();
                for (int i = x.dim() - 1; i >= a; i--) var = var.mean(i, true);
                Tensor invStd = var.add(eps).sqrt().reciprocal();
                Tensor y = centered.mul(invStd).mul(in[1]);
                if (in.length > 2 && in[2] != null) y = y.add(in[2]);
                return new Tensor[] {y, mean, invStd};
            };
        };
    }

    static OpCompiler instanceNormalization() {
        return node -> {
            node.expectInputs(3, 3);
            node.expectOutputs(1, 1);
            double eps = node.attrFloat("epsilon", 1e-5);
            return Kernel.of(in -> {
                Tensor x = in[0];
                if (x.dim() < 3) throw node.badInput("expects [N, C, D1, ...] input, got shape " + Arrays.toString(x.shape()));
                Tensor mean = x;
                for (int i = x.dim() - 1; i >= 2; i--) mean = mean.mean(i, true);
                Tensor centered = x.sub(mean);
                Tensor var = centered.square();
                for (int i = x.dim() - 1; i >= 2; i--) var = var.mean(i, true);
                return centered.div(var.add(eps).sqrt()).mul(perChannel(in[1], x.dim())).add(perChannel(in[2], x.dim()));
            });
        };
    }

    /** Dropout in inference: the identity, and an all-true mask. Training mode (a random mask) is refused. */
    static OpCompiler dropout() {
        return node -> {
            node.expectInputs(1, 3);
            node.expectOutputs(2, 2);
            node.attrInt("seed", 0); // a seed only matters in training mode
            double attrRatio = node.attrFloat("ratio", 0.5);
            node.require(node.attrInt("is_test", 1) == 1, "is_test 0");
            boolean wantsMask = node.hasOutput(1);
            return in -> {
                Tensor x = in[0];
                boolean training = in.length > 2 && in[2] != null && Values.scalar(node, in[2], "training_mode") != 0;
                Tensor mask = wantsMask ? Tensor.ones(DType.INT64, x.shape()).ne(0) : null;
                double ratio = in.length > 1 && in[1] != null ? Values.scalar(node, in[1], "ratio") : attrRatio;
                if (!training || ratio == 0) return new Tensor[] {x, mask};
                // a random mask: no other runtime's numbers could be reproduced, and exports run in eval mode
                throw node.unsupported("training_mode true (random dropout masks)");
            };
        };
    }
}
