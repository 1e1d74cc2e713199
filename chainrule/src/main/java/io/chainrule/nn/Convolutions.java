package io.chainrule.nn;

import io.chainrule.DType;
import io.chainrule.LayerPrimitives;
import io.chainrule.OpTracer;
import io.chainrule.Tensor;

import java.util.Arrays;

/**
 * Convolution, pooling, padding and embedding as functions (NCHW), composed from the differentiable primitives in
 * {@link LayerPrimitives} and ordinary tensor ops, so every result has gradients of every order. {@code F} exposes the same
 * functions.
 *
 * <p>A convolution is one op ({@link LayerPrimitives#conv2d}): per sample, an im2col into a reused buffer and one GEMM per group
 * straight into the output; its backward is a transposed convolution and a weight-gradient GEMM, each differentiable.
 */
public final class Convolutions {
    private Convolutions() {}

    // ---------------------------------------------------------------------------------------------- convolution

    /**
     * 1-D convolution of [N, C, L] (or [C, L]) by weight [out, C, k]; {@code bias} [out] may be null.
     *
     * <pre>{@code Tensor y = Convolutions.conv1d(x, w, b, 1, 1);   // same length for k = 3}</pre>
     */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, int padding) {
        return conv1d(input, weight, bias, stride, padding, 1, 1);
    }

    /** 1-D convolution with dilation and groups; weight [out, C/groups, k]. */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        requireRank("conv1d", "input", input, 2, 3);
        requireRank("conv1d", "weight", weight, 3, 3);
        return LayerPrimitives.conv1d(input, weight, bias, stride, padding, dilation, groups);
    }

    /** 2-D convolution of [N, C, H, W] (or [C, H, W]) by weight [out, C, kH, kW], equal stride and padding in both dimensions. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(input, weight, bias, new int[] {stride}, new int[] {padding}, new int[] {1}, 1);
    }

    /**
     * 2-D convolution (cross-correlation, as in PyTorch) with per-dimension stride, padding and dilation (each one value
     * or two: height, width) and {@code groups}: weight is [out, C/groups, kH, kW], both C and out divisible by groups.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        requireRank("conv2d", "input", input, 3, 4);
        requireRank("conv2d", "weight", weight, 4, 4);
        return LayerPrimitives.conv2d(input, weight, bias, stride, padding, dilation, groups);
    }

    /** LayerPrimitives.unfold, with errors prefixed by the op the caller called. */
    private static Tensor unfold(String op, Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        try {
            return LayerPrimitives.unfold(x, kernel, stride, padding, dilation);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
        }
    }

    /** The spatial output size unfold produced (it validated the arguments). */
    private static int[] outputSize(Tensor x, int kh, int kw, int[] stride, int[] padding, int[] dilation) {
        int[] s = both(stride), p = both(padding), d = both(dilation);
        return new int[] {
                (x.size(2) + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0] + 1,
                (x.size(3) + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1] + 1};
    }

    private static int[] both(int[] v) {
        return v.length == 1 ? new int[] {v[0], v[0]} : v;
    }

    private static void requireRank(String op, String what, Tensor t, int min, int max) {
        if (t == null) throw new IllegalArgumentException(op + ": " + what + " is null");
        if (t.dim() < min || t.dim() > max) {
            String ranks = min == max ? String.valueOf(min) : min + " or " + max;
            throw new IllegalArgumentException(op + ": " + what + " must have rank " + ranks + ", got shape "
                    + Arrays.toString(t.shape()));
        }
    }

    // ------------------------------------------------------------------------------------------------- pooling

    /** 2-D max pooling of [N, C, H, W] (or [C, H, W]); padding (≤ kernel/2) never wins; ties send the gradient to the first maximum. */
    public static Tensor maxPool2d(Tensor input, int kernel, int stride, int padding) {
        requireRank("maxPool2d", "input", input, 3, 4);
        return LayerPrimitives.maxPool2d(input, new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {1});
    }

    /**
     * 2-D average pooling; zero padding (≤ kernel/2) is counted in every window's divisor kernel² (PyTorch's default
     * {@code count_include_pad=True}).
     */
    public static Tensor avgPool2d(Tensor input, int kernel, int stride, int padding) {
        requireRank("avgPool2d", "input", input, 3, 4);
        if (padding > kernel / 2 || padding < 0) {
            throw new IllegalArgumentException("avgPool2d: padding must be between 0 and half the kernel size, got padding "
                    + padding + " for kernel " + kernel);
        }
        boolean batched = input.dim() == 4;
        Tensor x = batched ? input : input.unsqueeze(0);
        int n = x.size(0), c = x.size(1);
        Tensor cols = unfold("avgPool2d", input, new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {1});
        int[] size = outputSize(x, kernel, kernel, new int[] {stride}, new int[] {padding}, new int[] {1});
        Tensor out = cols.reshape(n, c, kernel * kernel, -1).mean(2, false).reshape(n, c, size[0], size[1]);
        Tensor y = LayerPrimitives.named(batched ? out : out.squeeze(0), "AvgPool2DBackward0");
        // one op to a trace (an exporter maps the pooling, not its parts); padding counts in the divisor
        return OpTracer.isTracing() ? OpTracer.op(y, "AvgPool2DBackward0", new Tensor[] {input}, "kernel", kernel,
                "stride", stride, "padding", padding) : y;
    }

    /**
     * Average pooling to a fixed output size: output (i, j) averages rows floor(i·H/outH) … ceil((i+1)·H/outH) − 1 and
     * the matching columns, as PyTorch. Windows are rectangles, so the pooling is separable: A_H · x · A_Wᵀ.
     */
    public static Tensor adaptiveAvgPool2d(Tensor input, int outH, int outW) {
        requireRank("adaptiveAvgPool2d", "input", input, 3, 4);
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("adaptiveAvgPool2d: output size must be positive, got [" + outH + ", " + outW + "]");
        }
        if (!input.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("adaptiveAvgPool2d: expects a floating-point tensor, got " + input.dtype());
        }
        int h = input.size(-2), w = input.size(-1);
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException("adaptiveAvgPool2d: empty spatial size in input of shape " + Arrays.toString(input.shape()));
        }
        Tensor rows = averagingMatrix(outH, h, input.dtype());          // [outH, H]
        Tensor colsT = averagingMatrix(outW, w, input.dtype()).t();     // [W, outW]
        Tensor y = LayerPrimitives.named(rows.matmul(input).matmul(colsT), "AdaptiveAvgPool2DBackward0");
        return OpTracer.isTracing() ? OpTracer.op(y, "AdaptiveAvgPool2DBackward0", new Tensor[] {input}, "outH", outH,
                "outW", outW) : y;
    }

    /** [out, in]: row i holds 1/len over PyTorch's adaptive window [floor(i·in/out), ceil((i+1)·in/out)). */
    private static Tensor averagingMatrix(int out, int in, DType dtype) {
        double[] a = new double[out * in];
        for (int i = 0; i < out; i++) {
            int start = (int) ((long) i * in / out);
            int end = (int) (((long) (i + 1) * in + out - 1) / out);
            for (int j = start; j < end; j++) a[i * in + j] = 1.0 / (end - start);
        }
        return Tensor.of(a, out, in).to(dtype);
    }

    // ------------------------------------------------------------------------------------------ pad, embedding

    /** Zero padding, last dimension first: (left, right), then (top, bottom), …; negative widths crop. */
    public static Tensor pad(Tensor input, int... padding) {
        return LayerPrimitives.pad(input, padding);
    }

    /**
     * Rows of {@code weight} [num, dim] picked by INT64 {@code indices} of any shape: the result has shape
     * indices.shape + [dim]. The gradient reaches only the rows that were used (an index-add).
     */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        if (indices == null || weight == null) throw new IllegalArgumentException("embedding: indices and weight must not be null");
        if (indices.dtype() != DType.INT64) {
            throw new IllegalArgumentException("embedding: indices must be INT64, got " + indices.dtype() + " (shape "
                    + Arrays.toString(indices.shape()) + ")");
        }
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("embedding: weight must be 2-D [num, dim], got shape " + Arrays.toString(weight.shape()));
        }
        int num = weight.size(0);
        long[] idx = indices.toLongArray();
        for (long v : idx) {
            if (v < 0 || v >= num) {
                throw new IllegalArgumentException("embedding: index " + v + " is out of range for " + num
                        + " embeddings (weight shape " + Arrays.toString(weight.shape()) + ")");
            }
        }
        int[] shape = Arrays.copyOf(indices.shape(), indices.dim() + 1);
        shape[indices.dim()] = weight.size(1);
        Tensor y = LayerPrimitives.named(weight.indexSelect(0, indices.reshape(-1)).reshape(shape), "EmbeddingBackward0");
        return OpTracer.isTracing() ? OpTracer.op(y, "EmbeddingBackward0", new Tensor[] {weight, indices}) : y;
    }
}
