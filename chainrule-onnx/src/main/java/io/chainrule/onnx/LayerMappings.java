package io.chainrule.onnx;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.onnx.ExportGraph.OpContext;

import java.util.ArrayList;
import java.util.List;

/** Convolution, pooling and normalisation layers as their ONNX ops. */
final class LayerMappings {
    private LayerMappings() {}

    /** Conv (NCHW; a Conv1d arrives as a height-1 Conv2d between an Unsqueeze and a Squeeze). */
    static void conv(OpContext c) {
        int[] s = c.a.intsAttribute("stride"), p = c.a.intsAttribute("padding"), d = c.a.intsAttribute("dilation");
        List<String> ins = new ArrayList<>(List.of(c.in(0), c.in(1)));
        if (c.present(2)) ins.add(c.in(2));
        c.node("Conv", ins, List.of(c.out()), Attrs.ints("strides", s), Attrs.ints("pads", p[0], p[1], p[0], p[1]),
                Attrs.ints("dilations", d), Attrs.i("group", c.a.intAttribute("groups")),
                Attrs.ints("kernel_shape", c.inShape(1)[2], c.inShape(1)[3]));
    }

    static void maxPool(OpContext c) {
        int[] k = c.a.intsAttribute("kernel"), s = c.a.intsAttribute("stride"), p = c.a.intsAttribute("padding");
        c.node("MaxPool", List.of(c.in(0)), List.of(c.out()), Attrs.ints("kernel_shape", k), Attrs.ints("strides", s),
                Attrs.ints("pads", p[0], p[1], p[0], p[1]), Attrs.ints("dilations", c.a.intsAttribute("dilation")));
    }

    /** AveragePool counting zero padding in the divisor, as chainrule (and PyTorch's default) does. */
    static void avgPool(OpContext c) {
        requireBatched(c);
        int k = c.a.intAttribute("kernel"), s = c.a.intAttribute("stride"), p = c.a.intAttribute("padding");
        c.node("AveragePool", List.of(c.in(0)), List.of(c.out()), Attrs.ints("kernel_shape", k, k), Attrs.ints("strides", s, s),
                Attrs.ints("pads", p, p, p, p), Attrs.i("count_include_pad", 1));
    }

    /** GlobalAveragePool for 1×1; AveragePool when the output size divides the input's; refused otherwise. */
    static void adaptiveAvgPool(OpContext c) {
        requireBatched(c);
        int outH = c.a.intAttribute("outH"), outW = c.a.intAttribute("outW");
        int h = c.inShape(0)[2], w = c.inShape(0)[3];
        if (outH == 1 && outW == 1) {
            c.node("GlobalAveragePool", List.of(c.in(0)), List.of(c.out()));
        } else if (h % outH == 0 && w % outW == 0) {
            int kh = h / outH, kw = w / outW;
            c.node("AveragePool", List.of(c.in(0)), List.of(c.out()), Attrs.ints("kernel_shape", kh, kw),
                    Attrs.ints("strides", kh, kw));
        } else {
            throw c.unsupported("pools " + h + "×" + w + " to " + outH + "×" + outW + ": ONNX has no adaptive pooling, and "
                    + "windows of unequal size have no AveragePool equivalent (export works when the output size divides "
                    + "the input size, or is 1×1)");
        }
    }

    private static void requireBatched(OpContext c) {
        if (c.inShape(0).length != 4) throw c.unsupported("pools an unbatched [C, H, W] image; export with an [N, C, H, W] example");
    }

    /** BatchNormalization with the running statistics (inference mode). */
    static void batchNorm(OpContext c) {
        c.node("BatchNormalization", List.of(c.in(0), c.in(1), c.in(2), c.in(3), c.in(4)), List.of(c.out()),
                Attrs.f("epsilon", c.a.doubleAttribute("eps")));
    }

    /** LayerNormalization over the last dimension (opset 17 has it); without affine parameters, a scale of ones. */
    static void layerNorm(OpContext c) {
        int[] shape = c.inShape(0);
        DType t = c.outType();
        String scale = c.present(1) ? c.in(1) : c.constant(Tensor.ones(t, shape[shape.length - 1]));
        List<String> ins = new ArrayList<>(List.of(c.in(0), scale));
        if (c.present(2)) ins.add(c.in(2));
        c.node("LayerNormalization", ins, List.of(c.out()), Attrs.i("axis", -1),
                Attrs.f("epsilon", c.a.doubleAttribute("eps")));
    }
}
