package io.chainrule.nn;

import io.chainrule.Tensor;

/**
 * 2-D max pooling (no parameters). The stride defaults to the kernel size, as in PyTorch.
 *
 * <pre>{@code new MaxPool2d(2).forward(x);   // [N, C, 28, 28] -> [N, C, 14, 14]}</pre>
 */
public class MaxPool2d extends Module {
    private final int kernel, stride, padding;

    /** Stride equal to the kernel, no padding. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** Padding (at most kernel/2) counts as −∞. */
    public MaxPool2d(int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1 || padding < 0 || padding > kernel / 2) {
            throw new IllegalArgumentException("MaxPool2d: kernel and stride must be positive and padding between 0 and "
                    + "kernel/2, got kernel " + kernel + ", stride " + stride + ", padding " + padding);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolutions.maxPool2d(x, kernel, stride, padding);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding + ", dilation=1, ceil_mode=False";
    }
}
