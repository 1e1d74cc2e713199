package io.chainrule;

import io.chainrule.autograd.GradMode;
import io.chainrule.tensor.ConvGemm;
import io.chainrule.tensor.ConvWindow;
import io.chainrule.tensor.Im2Col;
import io.chainrule.tensor.Loops;
import io.chainrule.tensor.Parallel;
import io.chainrule.tensor.PoolKernels;

import io.chainrule.tensor.Shapes;

import java.util.Arrays;

import static io.chainrule.Recorder.inputs;
import static io.chainrule.Recorder.record;
import static io.chainrule.Recorder.traced;

/**
 * The primitives behind convolution and pooling, each forward next to its derivative. They come in adjoint pairs —
 * unfold (im2col) and fold (col2im), pad and crop (pad with negated widths) — so each one's gradient is the other and
 * derivatives of every order follow. Convolution itself is one op whose input and weight gradients are ops of their
 * own, each differentiable in terms of the other two. Max pooling saves its argmax and scatters the gradient there with
 * {@link Tensor#scatterAdd}, whose own gradient is a gather.
 *
 * <p>Kernels work on one (sample, channel) plane at a time with plain array loops, planes split over threads by
 * {@link Parallel#forChunks} in a partition that depends only on the sizes: no plane is written by two chunks, so
 * results are bit-identical on any thread count.
 */
final class ConvOps {
    private ConvOps() {}

    /** A 2-D sliding window (kernel, stride, padding, dilation for height and width), validated when made. */
    record Window(int kH, int kW, int sH, int sW, int pH, int pW, int dH, int dW) implements ConvWindow {
        /** Each array holds one value (used for both dimensions) or two (height, width). */
        static Window of(String op, int[] kernel, int[] stride, int[] padding, int[] dilation) {
            int[] k = pair(op, "kernel", kernel), s = pair(op, "stride", stride);
            int[] p = pair(op, "padding", padding), d = pair(op, "dilation", dilation);
            if (k[0] < 1 || k[1] < 1 || s[0] < 1 || s[1] < 1 || d[0] < 1 || d[1] < 1 || p[0] < 0 || p[1] < 0) {
                throw new IllegalArgumentException(op + ": kernel, stride and dilation must be positive and padding "
                        + "non-negative, got kernel " + Arrays.toString(k) + ", stride " + Arrays.toString(s)
                        + ", padding " + Arrays.toString(p) + ", dilation " + Arrays.toString(d));
            }
            return new Window(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1]);
        }

        private static int[] pair(String op, String what, int[] v) {
            if (v == null || v.length < 1 || v.length > 2) {
                throw new IllegalArgumentException(op + ": " + what + " must hold 1 or 2 values, got "
                        + (v == null ? "null" : Arrays.toString(v)));
            }
            return v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
        }

        /** Output height for input height {@code h}; fails when the dilated kernel does not fit the padded input. */
        int outH(String op, int h, int[] inputShape) {
            return out(op, h, kH, sH, pH, dH, "height", inputShape);
        }

        int outW(String op, int w, int[] inputShape) {
            return out(op, w, kW, sW, pW, dW, "width", inputShape);
        }

        int out(String op, int size, int k, int s, int p, int d, String dim, int[] inputShape) {
            long span = (long) d * (k - 1) + 1;
            if (size + 2L * p < span) {
                throw new IllegalArgumentException(op + ": the kernel (" + k + " with dilation " + d + ", spanning "
                        + span + ") is larger than the padded input " + dim + " " + (size + 2L * p) + " (input shape "
                        + Arrays.toString(inputShape) + ", padding " + p + ")");
            }
            return (int) ((size + 2L * p - span) / s + 1);
        }

        int[] kernel() {
            return new int[] {kH, kW};
        }

        int[] stride() {
            return new int[] {sH, sW};
        }

        int[] padding() {
            return new int[] {pH, pW};
        }

        int[] dilation() {
            return new int[] {dH, dW};
        }

        @Override
        public String toString() {
            return "kernel [" + kH + ", " + kW + "], stride [" + sH + ", " + sW + "], padding [" + pH + ", " + pW
                    + "], dilation [" + dH + ", " + dW + "]";
        }
    }

    private static Tensor[] one(Tensor g) {
        return new Tensor[] {g};
    }

    private static void checkFloat(String op, Tensor x) {
        if (!x.dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": expects a floating-point tensor, got " + x.dtype + " (shape "
                    + Arrays.toString(x.shape) + ")");
        }
    }

    /** Chunks of whole planes, each about {@link Loops#GRAIN} elements of work: enough to pay for a task. */
    private static int planeGrain(long workPerPlane) {
        return (int) Math.max(1, Loops.GRAIN / Math.max(1, workPerPlane));
    }

    // ----------------------------------------------------------------------------------------- unfold (im2col)

    /** [N, C, H, W] → [N, C·kH·kW, L] (or unbatched [C, H, W] → [C·kH·kW, L]); rows ordered (c, ki, kj). */
    static Tensor unfold(Tensor input, Window w) {
        return unfold(input, w, input.shape);
    }

    /** unfold; errors show {@code shown}, the caller's shape (an unbatched image gains a batch dimension here). */
    private static Tensor unfold(Tensor input, Window w, int[] shown) {
        checkFloat("unfold", input);
        if (input.shape.length == 3) return unfold(input.unsqueeze(0), w, shown).squeeze(0);
        if (input.shape.length != 4) {
            throw new IllegalArgumentException("unfold: expects a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape "
                    + Arrays.toString(input.shape));
        }
        int n = input.shape[0], c = input.shape[1], h = input.shape[2], wd = input.shape[3];
        int oh = w.outH("unfold", h, shown), ow = w.outW("unfold", wd, shown);
        String problem = Shapes.problem(new long[] {n, (long) c * w.kH * w.kW, (long) oh * ow});
        if (problem != null) throw new IllegalArgumentException("unfold: the columns' " + problem);
        int kk = w.kH * w.kW, l = oh * ow;
        Tensor x = input.contiguousRaw();
        Tensor out = Tensor.allocate(input.dtype, new int[] {n, c * kk, l});
        Object src = x.data(), dst = out.data();
        int xOff = x.offset;
        Parallel.forChunks(n * c, planeGrain((long) kk * l), (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                // Plane (n, c) of the input maps to rows c·kk … (c+1)·kk − 1 of sample n: the same flat offset plane·kk·l.
                Im2Col.im2col(src, xOff + plane * h * wd, dst, plane * kk * l, h, wd, w, ow, 0, oh);
            }
        });
        int[] size = {h, wd};
        return record(out, "Im2ColBackward0", (g, need) -> one(fold(g, size, w)), inputs(input));
    }

    // ------------------------------------------------------------------------------------------- fold (col2im)

    /** [N, C·kH·kW, L] → [N, C, H, W] (or unbatched), summing where windows overlap: the adjoint of unfold. */
    static Tensor fold(Tensor cols, int[] outputSize, Window w) {
        checkFloat("fold", cols);
        if (outputSize == null || outputSize.length != 2 || outputSize[0] < 1 || outputSize[1] < 1) {
            throw new IllegalArgumentException("fold: outputSize must be two positive sizes [H, W], got "
                    + (outputSize == null ? "null" : Arrays.toString(outputSize)));
        }
        if (cols.shape.length == 2) return fold(cols.unsqueeze(0), outputSize, w).squeeze(0);
        if (cols.shape.length != 3) {
            throw new IllegalArgumentException("fold: expects a 2-D [C·kH·kW, L] or 3-D [N, C·kH·kW, L] input, got shape "
                    + Arrays.toString(cols.shape));
        }
        int h = outputSize[0], wd = outputSize[1];
        int[] imageShape = {cols.shape[0], -1, h, wd};
        int oh = w.outH("fold", h, imageShape), ow = w.outW("fold", wd, imageShape);
        int kk = w.kH * w.kW, l = oh * ow;
        int n = cols.shape[0], rows = cols.shape[1];
        if (rows % kk != 0 || cols.shape[2] != l) {
            throw new IllegalArgumentException("fold: input of shape " + Arrays.toString(cols.shape) + " does not match "
                    + w + " and output size " + Arrays.toString(outputSize) + ": dimension 1 must be a multiple of "
                    + kk + " and dimension 2 must be " + l + " (" + oh + "×" + ow + " windows)");
        }
        int c = rows / kk;
        Tensor x = cols.contiguousRaw();
        Tensor out = Tensor.allocate(cols.dtype, new int[] {n, c, h, wd});
        Object src = x.data(), dst = out.data();
        int xOff = x.offset;
        Parallel.forChunks(n * c, planeGrain((long) kk * l), (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                Im2Col.col2im(src, xOff + plane * kk * l, dst, plane * h * wd, h, wd, w, ow, 0, oh);
            }
        });
        return record(out, "Col2ImBackward0", (g, need) -> one(unfold(g, w)), inputs(cols));
    }

    // ---------------------------------------------------------------------------------------------- convolution

    /**
     * 2-D convolution (cross-correlation) of [N, C, H, W] by weight [O, C/groups, kH, kW], plus bias [O] or null, as one
     * op; a 3-D input is one unbatched image. Operands are promoted to a common floating dtype.
     *
     * <p>Its derivatives come in a closed family, all read off the one scalar T(x, W, dy) = ⟨conv(x, W), dy⟩:
     * dx = {@link #convInputGrad} (the transposed convolution), dW = {@link #convWeightGrad}, db = Σ dy over N, H, W;
     * and each of those two has gradients that are conv2d, convInputGrad and convWeightGrad again. So derivatives
     * of every order exist while each pass runs the fast kernels of {@link ConvGemm}.
     */
    static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Window w, int groups) {
        return conv2d(input, weight, bias, w, groups, new Shown("conv2d", input.shape, weight.shape, "width"));
    }

    /**
     * What errors show: the op the caller called and the shapes it passed, not the 4-D ones the kernels see (an
     * unbatched image gains a batch dimension, a conv1d signal a height of 1); {@code width} names the last
     * spatial dimension ("length" for a signal).
     */
    record Shown(String op, int[] input, int[] weight, String width) {}

    /** conv2d as {@code shown.op()} was called: errors name that op and the caller's shapes. */
    static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, Window w, int groups, Shown shown) {
        if (input.shape.length == 3) return conv2d(input.unsqueeze(0), weight, bias, w, groups, shown).squeeze(0);
        ConvGemm.Geometry<Window> g = geometry(input, weight, bias, w, groups, shown);
        DType type = DType.promote(DType.promote(input.dtype, weight.dtype), bias == null ? weight.dtype : bias.dtype);
        if (!type.isFloatingPoint()) {
            throw new IllegalArgumentException(shown.op() + ": expects floating-point tensors, got input " + input.dtype
                    + ", weight " + weight.dtype + (bias == null ? "" : ", bias " + bias.dtype));
        }
        Tensor x = input.to(type), wt = weight.to(type), b = bias == null ? null : bias.to(type);
        Tensor xc = x.contiguousRaw(), wc = wt.contiguousRaw(), bc = b == null ? null : b.contiguousRaw();
        Tensor out = Tensor.allocate(type, g.outputShape());
        ConvGemm.forward(xc.data(), xc.offset, wc.data(), wc.offset, bc == null ? null : bc.data(), bc == null ? 0 : bc.offset,
                out.data(), g);
        Tensor r = record(out, "ConvolutionBackward0", (grad, need) -> {
            Tensor dy = grad.contiguous(); // once for both kernels (a gradient from sum() is a stride-0 expansion)
            return new Tensor[] {
                    need[0] ? convInputGrad(dy, wt, g) : null,
                    need[1] ? convWeightGrad(x, dy, g) : null,
                    need[2] ? convBiasGrad(dy) : null};
        }, inputs(x, wt, b), x, wt);
        return OpTracer.isTracing() ? traced(r, "stride", w.stride(), "padding", w.padding(), "dilation", w.dilation(),
                "groups", groups) : r;
    }

    /**
     * The gradient of ⟨conv(x, W), dy⟩ in x: [N, O, oh, ow] → [N, C, H, W], a transposed convolution. Linear in dy and
     * in W: its gradient in dy is conv2d(·, W), in W it is convWeightGrad(·, dy).
     */
    private static Tensor convInputGrad(Tensor dy, Tensor weight, ConvGemm.Geometry<Window> g) {
        Tensor d = dy.to(weight.dtype);
        Tensor dc = d.contiguousRaw(), wc = weight.contiguousRaw(), dx = Tensor.allocate(d.dtype, g.inputShape()); // zeros
        ConvGemm.inputGrad(dc.data(), dc.offset, wc.data(), wc.offset, dx.data(), g);
        return record(dx, "ConvolutionBackwardInput", (gg, need) -> new Tensor[] {
                need[0] ? conv2d(gg, weight, null, g.win(), g.groups()) : null,
                need[1] ? convWeightGrad(gg, d, g) : null}, inputs(d, weight), d, weight);
    }

    /**
     * The gradient of ⟨conv(x, W), dy⟩ in W: [O, C/groups, kH, kW]. Linear in x and in dy: its gradient in x is
     * convInputGrad(dy, ·), in dy it is conv2d(x, ·).
     */
    private static Tensor convWeightGrad(Tensor x, Tensor dy, ConvGemm.Geometry<Window> g) {
        Tensor d = dy.to(x.dtype);
        Tensor xc = x.contiguousRaw(), dc = d.contiguousRaw(), dw = Tensor.allocate(x.dtype, g.weightShape());
        ConvGemm.weightGrad(xc.data(), xc.offset, dc.data(), dc.offset, dw.data(), g);
        return record(dw, "ConvolutionBackwardWeight", (gg, need) -> new Tensor[] {
                need[0] ? convInputGrad(d, gg, g) : null,
                need[1] ? conv2d(x, gg, null, g.win(), g.groups()) : null}, inputs(x, d), x, d);
    }

    /** Σ dy over batch and positions, [N, O, oh, ow] → [O]; its gradient spreads g back over those positions. */
    private static Tensor convBiasGrad(Tensor dy) {
        int[] shape = dy.shape;
        Tensor dc = dy.contiguousRaw(), db = Tensor.allocate(dy.dtype, new int[] {shape[1]});
        ConvGemm.biasGrad(dc.data(), dc.offset, shape[0], shape[1], shape[2] * shape[3], db.data());
        return record(db, "ConvolutionBackwardBias", (g, need) -> one(g.reshape(1, shape[1], 1, 1).expand(shape)),
                inputs(dy));
    }

    /** Checks the operands of conv2d and derives its sizes. */
    private static ConvGemm.Geometry<Window> geometry(Tensor input, Tensor weight, Tensor bias, Window w, int groups, Shown shown) {
        String op = shown.op();
        if (input.shape.length != 4) {
            throw new IllegalArgumentException("conv2d: expects a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape "
                    + Arrays.toString(input.shape));
        }
        if (weight.shape.length != 4) {
            throw new IllegalArgumentException("conv2d: weight must have rank 4 [out, C/groups, kH, kW], got shape "
                    + Arrays.toString(weight.shape));
        }
        int n = input.shape[0], c = input.shape[1], h = input.shape[2], wd = input.shape[3];
        int o = weight.shape[0], cg = weight.shape[1];
        if (groups < 1) throw new IllegalArgumentException(op + ": groups must be positive, got " + groups);
        if (c % groups != 0 || o % groups != 0 || cg * groups != c) {
            throw new IllegalArgumentException(op + ": input of shape " + Arrays.toString(shown.input()) + " and weight of "
                    + "shape " + Arrays.toString(shown.weight()) + " do not fit groups=" + groups + ": the input's " + c
                    + " channels and the weight's " + o + " outputs must be divisible by groups, and weight dimension 1 "
                    + "must be channels/groups");
        }
        if (bias != null && (bias.shape.length != 1 || bias.shape[0] != o)) {
            throw new IllegalArgumentException(op + ": bias must have shape [" + o + "] for weight of shape "
                    + Arrays.toString(shown.weight()) + ", got " + Arrays.toString(bias.shape));
        }
        if (weight.shape[2] != w.kH || weight.shape[3] != w.kW) {
            throw new IllegalArgumentException(op + ": weight of shape " + Arrays.toString(shown.weight())
                    + " does not match " + w);
        }
        int oh = w.outH(op, h, shown.input()), ow = w.out(op, wd, w.kW, w.sW, w.pW, w.dW, shown.width(), shown.input());
        Shapes.check(op, new int[] {n, o, oh, ow}); // padding can make the output far larger than the input
        return new ConvGemm.Geometry<>(n, c, h, wd, o, groups, oh, ow, w);
    }

    // ------------------------------------------------------------------------------------------------------ pad

    /**
     * Constant zero padding in PyTorch's order: (left, right) of the last dimension, then (top, bottom) of the one
     * before, and so on; negative widths crop. Its adjoint is the same op with every width negated.
     */
    static Tensor pad(Tensor x, int[] padding) {
        if (padding == null || padding.length % 2 != 0 || padding.length / 2 > x.shape.length) {
            throw new IllegalArgumentException("pad: padding must hold an even number of values, at most 2 per dimension "
                    + "(" + 2 * x.shape.length + " for shape " + Arrays.toString(x.shape) + "), got "
                    + (padding == null ? "null" : Arrays.toString(padding)));
        }
        int r = x.shape.length;
        int[] outShape = x.shape.clone(), srcStart = new int[r], dstStart = new int[r], len = x.shape.clone();
        for (int i = 0; i < padding.length / 2; i++) {
            int d = r - 1 - i, before = padding[2 * i], after = padding[2 * i + 1];
            long size = (long) x.shape[d] + before + after;
            if (size < 0 || size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("pad: padding " + Arrays.toString(padding) + " gives dimension " + d
                        + " of shape " + Arrays.toString(x.shape) + " the invalid size " + size);
            }
            outShape[d] = (int) size;
            srcStart[d] = Math.max(0, -before);
            dstStart[d] = Math.max(0, before);
            len[d] = Math.max(0, Math.min(x.shape[d] - srcStart[d], outShape[d] - dstStart[d]));
        }
        Tensor out = Tensor.allocate(x.dtype, outShape);
        boolean empty = false;
        for (int v : len) empty |= v == 0;
        if (!empty) {
            int so = x.offset, dOff = 0;
            for (int d = 0; d < r; d++) {
                so += srcStart[d] * x.strides[d];
                dOff += dstStart[d] * out.strides[d];
            }
            Loops.copy(x.data(), so, x.strides, out.data(), dOff, out.strides, len);
        }
        int[] back = new int[padding.length];
        for (int i = 0; i < padding.length; i++) back[i] = -padding[i];
        Tensor result = record(out, "ConstantPadNdBackward0", (g, need) -> one(pad(g, back)), inputs(x));
        return OpTracer.isTracing() ? traced(result, "padding", padding.clone()) : result;
    }

    // -------------------------------------------------------------------------------------------------- maxPool2d

    /**
     * Max pooling over [N, C, H, W] (or [C, H, W]); padding counts as −∞, so it never wins. The gradient goes to the
     * first maximum of each window in row-major order (PyTorch's tie rule); a NaN in a window wins, as in PyTorch.
     */
    static Tensor maxPool2d(Tensor input, Window w) {
        return maxPool2d(input, w, input.shape);
    }

    /** maxPool2d; errors show {@code shown}, the caller's shape (an unbatched image gains a batch dimension here). */
    private static Tensor maxPool2d(Tensor input, Window w, int[] shown) {
        checkFloat("maxPool2d", input);
        if (input.shape.length == 3) return maxPool2d(input.unsqueeze(0), w, shown).squeeze(0);
        if (input.shape.length != 4) {
            throw new IllegalArgumentException("maxPool2d: expects a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape "
                    + Arrays.toString(input.shape));
        }
        checkHalfKernelPadding("maxPool2d", w);
        int n = input.shape[0], c = input.shape[1], h = input.shape[2], wd = input.shape[3];
        int oh = w.outH("maxPool2d", h, shown), ow = w.outW("maxPool2d", wd, shown);
        checkNoPaddingOnlyWindow(h, w.kH, w.sH, w.pH, w.dH, oh, "height", shown, w);
        checkNoPaddingOnlyWindow(wd, w.kW, w.sW, w.pW, w.dW, ow, "width", shown, w);
        Tensor x = input.contiguousRaw();
        Tensor out = Tensor.allocate(input.dtype, new int[] {n, c, oh, ow});
        int[] argmax = new int[n * c * oh * ow]; // within-plane indices: int halves what a step writes (PyTorch keeps int64)
        Object src = x.data(), dst = out.data();
        int xOff = x.offset;
        boolean twoByTwo = w.equals(new Window(2, 2, 2, 2, 0, 0, 1, 1));
        Parallel.forChunks(n * c, planeGrain((long) w.kH * w.kW * oh * ow), (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                if (twoByTwo) PoolKernels.max2x2(src, xOff + plane * h * wd, dst, plane * oh * ow, argmax, wd, oh, ow);
                else maxPlane(src, xOff + plane * h * wd, dst, argmax, plane * oh * ow, h, wd, w, oh, ow);
            }
        });
        int[] inShape = input.shape;
        Tensor r = record(out, "MaxPool2DWithIndicesBackward0", (g, need) -> one(GradMode.isEnabled()
                ? Tensor.zeros(g.dtype, n * c, h * wd).scatterAdd(1, // recorded: a scatter, whose gradient is a gather
                        Tensor.wrap(Arrays.stream(argmax).asLongStream().toArray(), DType.INT64, n * c, oh * ow),
                        g.reshape(n * c, oh * ow)).reshape(inShape)
                : maxPoolGrad(g, argmax, inShape, oh * ow)), inputs(input));
        return OpTracer.isTracing() ? traced(r, "kernel", w.kernel(), "stride", w.stride(), "padding", w.padding(),
                "dilation", w.dilation()) : r;
    }

    /** The first-order max-pooling gradient: each output's gradient added at its argmax, plane by plane. */
    private static Tensor maxPoolGrad(Tensor grad, int[] argmax, int[] inShape, int planeOut) {
        Tensor g = grad.contiguousRaw();
        Tensor dx = Tensor.allocate(g.dtype, inShape);
        int planes = inShape[0] * inShape[1], planeIn = inShape[2] * inShape[3], go = g.offset;
        Object gd = g.data(), dxd = dx.data();
        Parallel.forChunks(planes, planeGrain(planeOut), (from, to) -> {
            for (int p = from; p < to; p++) PoolKernels.scatterMax(gd, go + p * planeOut, argmax, p * planeOut, dxd, p * planeIn, planeOut);
        });
        return dx;
    }

    /** PyTorch's rule for pooling: pad ≤ kernel / 2, so that no window is padding only. */
    static void checkHalfKernelPadding(String op, Window w) {
        if (w.pH > w.kH / 2 || w.pW > w.kW / 2) {
            throw new IllegalArgumentException(op + ": padding must be at most half the kernel size, got " + w);
        }
    }

    /** A large dilation can make a window skip every real row or column; such a window would have no maximum. */
    private static void checkNoPaddingOnlyWindow(int size, int k, int s, int p, int d, int out, String dim, int[] shape, Window w) {
        for (int o = 0; o < out; o++) {
            boolean any = false;
            for (int j = 0; j < k && !any; j++) {
                int i = o * s - p + j * d;
                any = i >= 0 && i < size;
            }
            if (!any) {
                throw new IllegalArgumentException("maxPool2d: window " + o + " along the " + dim + " covers only padding "
                        + "(input shape " + Arrays.toString(shape) + ", " + w + ")");
            }
        }
    }

    /**
     * One plane's windows. Strictly greater keeps the first maximum; a NaN always takes over, as in PyTorch. No
     * branch on the data, which mispredicts on half the elements of random data (2.4× the time): the index moves by
     * a conditional move and the maximum is read back through it (x86 has no conditional move for floating-point
     * registers). Values compare as double, which orders float32 values the same way.
     */
    private static void maxPlane(Object src, int xo, Object dst, int[] argmax, int oo, int h, int wd, Window w,
                                 int oh, int ow) {
        float[] xf = src instanceof float[] f ? f : null;
        double[] xd = xf == null ? (double[]) src : null;
        for (int y = 0; y < oh; y++) {
            int ih0 = y * w.sH - w.pH;
            for (int x = 0; x < ow; x++) {
                int iw0 = x * w.sW - w.pW, kj0 = 0;
                while (iw0 + kj0 * w.dW < 0) kj0++; // the first column inside the input
                int bestAt = -1;
                double best = 0;
                for (int ki = 0; ki < w.kH; ki++) {
                    int ih = ih0 + ki * w.dH;
                    if (ih < 0 || ih >= h) continue;
                    if (bestAt < 0) {
                        bestAt = ih * wd + iw0 + kj0 * w.dW;
                        best = xf != null ? xf[xo + bestAt] : xd[xo + bestAt];
                    }
                    for (int kj = kj0; kj < w.kW; kj++) {
                        int iw = iw0 + kj * w.dW;
                        if (iw >= wd) break;
                        int at = ih * wd + iw;
                        double v = xf != null ? xf[xo + at] : xd[xo + at];
                        bestAt = v > best | v != v ? at : bestAt;
                        best = xf != null ? xf[xo + bestAt] : xd[xo + bestAt];
                    }
                }
                argmax[oo + y * ow + x] = bestAt;
                if (xf != null) ((float[]) dst)[oo + y * ow + x] = xf[xo + bestAt];
                else ((double[]) dst)[oo + y * ow + x] = best;
            }
        }
    }
}
