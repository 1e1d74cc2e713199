package io.chainrule.nn;

import io.chainrule.Tensor;

/**
 * Average pooling to a fixed output size, whatever the input size (PyTorch's window rule).
 *
 * <pre>{@code new AdaptiveAvgPool2d(1, 1).forward(x);   // global average pooling: [N, C, H, W] -> [N, C, 1, 1]}</pre>
 */
public class AdaptiveAvgPool2d extends Module {
    private final int outH, outW;

    /** Output height and width. */
    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be positive, got [" + outH + ", " + outW + "]");
        }
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolutions.adaptiveAvgPool2d(x, outH, outW);
    }

    @Override
    protected String extraRepr() {
        return "output_size=(" + outH + ", " + outW + ")";
    }
}
