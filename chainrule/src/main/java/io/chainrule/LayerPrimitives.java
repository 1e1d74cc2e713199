package io.chainrule;

/**
 * Low-level, differentiable primitives behind linear, convolution, recurrent and pooling layers in
 * {@code io.chainrule.nn}: linear ({@link #linear}), convolution ({@link #conv2d}), fused recurrent layers
 * ({@link #lstm}, {@link #gru}, {@link #rnn}), sliding-window extraction ({@link #unfold}) and its adjoint
 * ({@link #fold}), constant padding and max pooling. Each has a gradient written in differentiable ops, so
 * derivatives of every order are available.
 *
 * <p>Window arguments ({@code kernel}, {@code stride}, {@code padding}, {@code dilation}) hold one value, used for both
 * spatial dimensions, or two: height then width. Images are NCHW; a 3-D input is taken as one unbatched image.
 *
 * <pre>{@code
 * Tensor cols = LayerPrimitives.unfold(x, new int[] {3, 3}, new int[] {1}, new int[] {1}, new int[] {1}); // [N, C·9, H·W]
 * }</pre>
 */
public final class LayerPrimitives {
    private LayerPrimitives() {}

    /**
     * Names the node that computed {@code out} after the op it completes, as PyTorch prints it: for nn ops composed
     * of other ops ({@code mseLoss} = mean((x − t)²) shows as {@code MseLossBackward0}). Only the name changes; the
     * gradient still flows through the parts. {@code out} must be a fresh result of that composition, never one of
     * its inputs returned as is. Returns {@code out}.
     */
    public static Tensor named(Tensor out, String name) {
        return Recorder.named(out, name);
    }

    /**
     * x·Wᵀ + b for x [..., in], weight [out, in], bias [out] or null, recorded as one op (PyTorch's linear). Shapes
     * must already agree ({@code io.chainrule.nn.F#linear} checks them and is the entry point to use).
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return LinalgOps.linear(x, weight, bias);
    }

    /**
     * The negative log-likelihood of log-probabilities [N, C] at INT64 class indices [N] (the caller checks shapes and
     * ranges: {@code io.chainrule.nn.F#nllLoss} is the entry point to use), summed, or averaged over N when
     * {@code mean}, as one op.
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor targets, boolean mean) {
        return IndexOps.nllLoss(logProbs, targets, mean);
    }

    /**
     * 2-D convolution (cross-correlation, as in PyTorch) of [N, C, H, W] (or unbatched [C, H, W]) by weight
     * [O, C/groups, kH, kW], plus {@code bias} [O] or null, recorded as one op. {@code io.chainrule.nn.F#conv2d} is the
     * entry point to use; this is the primitive under it. Its gradients are convolutions again, so derivatives of every
     * order are available.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        if (input == null || weight == null) throw new IllegalArgumentException("conv2d: input and weight must not be null");
        int[] kernel = weight.dim() == 4 ? new int[] {weight.size(2), weight.size(3)} : new int[] {1};
        return ConvOps.conv2d(input, weight, bias, ConvOps.Window.of("conv2d", kernel, stride, padding, dilation), groups);
    }

    /**
     * 1-D convolution of [N, C, L] (or unbatched [C, L]) by weight [O, C/groups, k], plus {@code bias} [O] or null:
     * the 2-D op on signals of height 1, with errors that show the caller's shapes ({@code io.chainrule.nn.F#conv1d}
     * is the entry point to use).
     */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int dilation,
                                int groups) {
        if (input == null || weight == null) throw new IllegalArgumentException("conv1d: input and weight must not be null");
        if (input.dim() < 2 || input.dim() > 3) {
            throw new IllegalArgumentException("conv1d: expects a 2-D [C, L] or 3-D [N, C, L] input, got shape "
                    + java.util.Arrays.toString(input.shape()));
        }
        if (weight.dim() != 3) {
            throw new IllegalArgumentException("conv1d: weight must have rank 3 [out, C/groups, k], got shape "
                    + java.util.Arrays.toString(weight.shape()));
        }
        int k = weight.size(2);
        if (k < 1 || stride < 1 || dilation < 1 || padding < 0) {
            throw new IllegalArgumentException("conv1d: kernel, stride and dilation must be positive and padding "
                    + "non-negative, got kernel " + k + ", stride " + stride + ", padding " + padding + ", dilation " + dilation);
        }
        ConvOps.Window w = ConvOps.Window.of("conv1d", new int[] {1, k}, new int[] {1, stride}, new int[] {0, padding},
                new int[] {1, dilation});
        ConvOps.Shown shown = new ConvOps.Shown("conv1d", input.shape(), weight.shape(), "length");
        return ConvOps.conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, w, groups, shown).squeeze(-2);
    }

    /**
     * A recurrent layer of {@code cell} over a sequence as one op, with the cell's equations
     * ({@link RecurrentCellKind}). {@code x} {@code [seq, batch, in]}; {@code h0}, and {@code c0} for the LSTM (null
     * otherwise), {@code [batch, hidden]}; {@code wIh} {@code [gates·hidden, in]}; {@code wHh}
     * {@code [gates·hidden, hidden]}; {@code bIh}, {@code bHh} {@code [gates·hidden]} or null. Returns h after each
     * step, {@code [seq, batch, hidden]}, and for the LSTM one more row, the final c. Differentiable to any order in
     * every argument (the layers of {@code io.chainrule.nn} are the entry points to use).
     *
     * @throws IllegalArgumentException when the shapes do not fit together, or c0 is given to a cell without one or
     *                                  missing for the LSTM
     */
    public static Tensor recurrentLayer(RecurrentCellKind cell, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh,
                                        Tensor bIh, Tensor bHh) {
        return RecurrentOps.layer(cell, x, h0, c0, wIh, wHh, bIh, bHh);
    }

    /** {@link #recurrentLayer} of the {@link RecurrentCellKind#LSTM}: returns {@code [seq + 1, batch, hidden]}. */
    public static Tensor lstm(Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        if (c0 == null) throw new IllegalArgumentException("lstm: c0 must not be null");
        return RecurrentOps.layer(RecurrentCellKind.LSTM, x, h0, c0, wIh, wHh, bIh, bHh);
    }

    /** {@link #recurrentLayer} of the {@link RecurrentCellKind#GRU}. */
    public static Tensor gru(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        return RecurrentOps.layer(RecurrentCellKind.GRU, x, h0, null, wIh, wHh, bIh, bHh);
    }

    /**
     * {@link #recurrentLayer} of the Elman cell with PyTorch's {@code nonlinearity}, "tanh" or "relu".
     *
     * @throws IllegalArgumentException when the shapes do not fit together or the nonlinearity is unknown
     */
    public static Tensor rnn(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, String nonlinearity) {
        return RecurrentOps.layer(RecurrentCellKind.rnn("rnn", nonlinearity), x, h0, null, wIh, wHh, bIh, bHh);
    }

    /**
     * Extracts sliding windows (im2col), like {@code torch.nn.functional.unfold}: [N, C, H, W] →
     * [N, C·kH·kW, L], L the number of window positions, rows ordered by channel then kernel row then kernel column.
     * Padding is zeros. Its gradient is {@link #fold}.
     */
    public static Tensor unfold(Tensor input, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        return ConvOps.unfold(input, ConvOps.Window.of("unfold", kernel, stride, padding, dilation));
    }

    /**
     * The adjoint of {@link #unfold} (col2im), like {@code torch.nn.functional.fold}: [N, C·kH·kW, L] →
     * [N, C, outputSize[0], outputSize[1]], summing the values that overlapping windows put on one pixel.
     */
    public static Tensor fold(Tensor cols, int[] outputSize, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        return ConvOps.fold(cols, outputSize, ConvOps.Window.of("fold", kernel, stride, padding, dilation));
    }

    /**
     * Zero padding in PyTorch's order, last dimension first: {@code pad(x, 1, 2)} adds one column on the left and two on
     * the right; {@code pad(x, 1, 1, 2, 2)} also adds two rows on top and bottom. Negative widths crop. Any dtype.
     */
    public static Tensor pad(Tensor input, int... padding) {
        return ConvOps.pad(input, padding);
    }

    /**
     * Batch normalisation in training mode as one op over [N, C, ...]: each channel normalised with the batch's mean and
     * biased variance, then scaled by {@code weight} [C] and shifted by {@code bias} [C]. The batch's mean and biased
     * variance go into {@code batchMean} and {@code batchVar} (length C) for running statistics
     * ({@code io.chainrule.nn.BatchNorm1d}/{@code BatchNorm2d} are the entry points to use). Differentiable to any order.
     *
     * @throws IllegalArgumentException when the shapes do not fit or a channel has a single value
     */
    public static Tensor batchNorm(Tensor input, Tensor weight, Tensor bias, double eps, double[] batchMean,
                                   double[] batchVar) {
        return NormOps.batchNorm(input, weight, bias, eps, batchMean, batchVar);
    }

    /**
     * 2-D max pooling; padding never wins (it counts as −∞) and must be at most half the kernel. The gradient goes to
     * the first maximum of each window, as in PyTorch.
     */
    public static Tensor maxPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        return ConvOps.maxPool2d(input, ConvOps.Window.of("maxPool2d", kernel, stride, padding, dilation));
    }
}
