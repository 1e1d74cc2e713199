package io.chainrule.nn;

import io.chainrule.Tensor;

/**
 * 2-D average pooling (no parameters); zero padding counts in the average (PyTorch's {@code count_include_pad=True}).
 * The stride defaults to the kernel size.
 */
public class AvgPool2d extends Module {
    private final int kernel, stride, padding;

    /** Stride equal to the kernel, no padding. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** Zero padding (at most kernel/2), counted in every window's divisor. */
    public AvgPool2d(int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1 || padding < 0 || padding > kernel / 2) {
            throw new IllegalArgumentException("AvgPool2d: kernel and stride must be positive and padding between 0 and "
                    + "kernel/2, got kernel " + kernel + ", stride " + stride + ", padding " + padding);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolutions.avgPool2d(x, kernel, stride, padding);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding;
    }
}
