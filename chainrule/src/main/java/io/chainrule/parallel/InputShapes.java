package io.chainrule.parallel;

import io.chainrule.nn.Conv1d;
import io.chainrule.nn.Conv2d;
import io.chainrule.nn.Module;

import java.util.Arrays;

/**
 * How flat feature rows become the model's input when no shape is given: by the model's first layer (the first
 * module with no children, depth first). A {@link Conv2d} with C input channels takes {@code [C, H, W]} with
 * H = W = √(features / C) (so 784 features become [1, 28, 28]); a {@link Conv1d} takes {@code [C, features / C]};
 * anything else (a Linear first layer, a Flatten) takes the flat row {@code [features]}.
 */
public final class InputShapes {
    private InputShapes() {}

    /**
     * @throws IllegalArgumentException when a convolution's channels do not divide the features, or the image is not square
     */
    public static int[] infer(Module model, int features) {
        Module first = firstLayer(model);
        if (first instanceof Conv2d c) {
            int channels = inChannels(c);
            int side = (int) Math.round(Math.sqrt((double) features / channels));
            if (features % channels != 0 || side * side * channels != features) {
                throw new IllegalArgumentException("InputShapes: the model starts with a Conv2d of " + channels
                        + " input channels, but " + features + " features are not " + channels + " square images; "
                        + "give the input shape explicitly (inputShape(C, H, W))");
            }
            return new int[] {channels, side, side};
        }
        if (first instanceof Conv1d c) {
            int channels = inChannels(c);
            if (features % channels != 0) {
                throw new IllegalArgumentException("InputShapes: the model starts with a Conv1d of " + channels
                        + " input channels, which do not divide " + features + " features");
            }
            return new int[] {channels, features / channels};
        }
        return new int[] {features};
    }

    /** Checks that an explicit input shape holds exactly {@code features} values. */
    public static int[] check(int[] shape, int features) {
        long n = 1;
        for (int d : shape) {
            if (d < 1) throw new IllegalArgumentException("InputShapes: dimensions must be positive, got " + Arrays.toString(shape));
            n *= d;
        }
        if (n != features) {
            throw new IllegalArgumentException("InputShapes: the input shape " + Arrays.toString(shape) + " holds " + n
                    + " values but each example has " + features + " features");
        }
        return shape.clone();
    }

    /** A convolution's in_channels, the first number of its PyTorch-style description ("Conv2d(1, 16, ...)"). */
    private static int inChannels(Module conv) {
        String r = conv.toString();
        int open = r.indexOf('(');
        int comma = r.indexOf(',', open);
        return Integer.parseInt(r.substring(open + 1, comma).strip());
    }

    private static Module firstLayer(Module m) {
        while (!m.namedChildren().isEmpty()) m = m.namedChildren().values().iterator().next();
        return m;
    }
}
