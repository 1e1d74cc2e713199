package io.chainrule.nn;

import io.chainrule.Tensor;

import java.util.Arrays;

/**
 * 2-D convolution over NCHW input, with PyTorch's parameters ({@code weight} [out, in/groups, kH, kW], {@code bias}
 * [out]) and default initialisation (both uniform in ±1/√fan_in, fan_in = in/groups·kH·kW).
 *
 * <pre>{@code Conv2d conv = new Conv2d(1, 32, 3, 1, 1);   // [N, 1, 28, 28] -> [N, 32, 28, 28]}</pre>
 */
public class Conv2d extends Module {
    private final int in, out, groups;
    private final int[] kernel, stride, padding, dilation;

    /** Square kernel, stride 1, no padding, with bias. */
    public Conv2d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0);
    }

    /** Square kernel with the same stride and padding in both dimensions, with bias. */
    public Conv2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {1}, 1, true);
    }

    /** Every option; each array holds one value (both dimensions) or two (height, width). */
    public Conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups, boolean bias) {
        this.kernel = pair("kernel", kernel, 1);
        this.stride = pair("stride", stride, 1);
        this.padding = pair("padding", padding, 0);
        this.dilation = pair("dilation", dilation, 1);
        if (in < 1 || out < 1 || groups < 1 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("Conv2d: in (" + in + ") and out (" + out + ") channels must be positive "
                    + "and divisible by groups (" + groups + ")");
        }
        this.in = in;
        this.out = out;
        this.groups = groups;
        double bound = DefaultInit.bound((long) in / groups * this.kernel[0] * this.kernel[1]);
        registerParameter("weight", DefaultInit.uniform(bound, out, in / groups, this.kernel[0], this.kernel[1]));
        if (bias) registerParameter("bias", DefaultInit.uniform(bound, out));
    }

    static int[] pair(String what, int[] v, int min) {
        if (v == null || v.length < 1 || v.length > 2 || Arrays.stream(v).anyMatch(x -> x < min)) {
            throw new IllegalArgumentException("Conv2d: " + what + " must hold 1 or 2 values of at least " + min + ", got "
                    + (v == null ? "null" : Arrays.toString(v)));
        }
        return v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolutions.conv2d(x, param("weight"), paramOrNull("bias"), stride, padding, dilation, groups);
    }

    @Override
    protected String extraRepr() {
        StringBuilder s = new StringBuilder(in + ", " + out + ", kernel_size=" + DefaultInit.tuple(kernel)
                + ", stride=" + DefaultInit.tuple(stride));
        if (padding[0] != 0 || padding[1] != 0) s.append(", padding=").append(DefaultInit.tuple(padding));
        if (dilation[0] != 1 || dilation[1] != 1) s.append(", dilation=").append(DefaultInit.tuple(dilation));
        if (groups != 1) s.append(", groups=").append(groups);
        if (paramOrNull("bias") == null) s.append(", bias=False");
        return s.toString();
    }
}
