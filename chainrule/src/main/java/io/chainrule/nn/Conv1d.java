package io.chainrule.nn;

import io.chainrule.Tensor;

/**
 * 1-D convolution over [N, C, L] input, with PyTorch's parameters ({@code weight} [out, in, k], {@code bias} [out])
 * and default initialisation (both uniform in ±1/√(in·k)).
 *
 * <pre>{@code Conv1d conv = new Conv1d(16, 32, 3, 1, 1);   // [N, 16, L] -> [N, 32, L]}</pre>
 */
public class Conv1d extends Module {
    private final int in, out, kernel, stride, padding;

    /** Stride 1, no padding, with bias. */
    public Conv1d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0);
    }

    /** With the given stride and zero padding on both ends, with bias. */
    public Conv1d(int in, int out, int kernel, int stride, int padding) {
        if (in < 1 || out < 1 || kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("Conv1d: channels, kernel and stride must be positive and padding "
                    + "non-negative, got in " + in + ", out " + out + ", kernel " + kernel + ", stride " + stride
                    + ", padding " + padding);
        }
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        double bound = DefaultInit.bound((long) in * kernel);
        registerParameter("weight", DefaultInit.uniform(bound, out, in, kernel));
        registerParameter("bias", DefaultInit.uniform(bound, out));
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolutions.conv1d(x, param("weight"), paramOrNull("bias"), stride, padding);
    }

    @Override
    protected String extraRepr() {
        String s = in + ", " + out + ", kernel_size=" + DefaultInit.tuple(kernel) + ", stride=" + DefaultInit.tuple(stride);
        return padding != 0 ? s + ", padding=" + DefaultInit.tuple(padding) : s;
    }
}
