package io.chainrule.onnx;

import io.chainrule.DType;
import io.chainrule.onnx.ExportGraph.OpContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Each traced op as ONNX opset 17 nodes, by the name its node carries ({@code AddBackward0} → Add). Layers a trace
 * reports whole map to their ONNX op (batch norm → BatchNormalization, layer norm → LayerNormalization, embedding →
 * Gather, the pools); the recurrent layers are in {@link RecurrentMapping}. Shape arguments keep the batch symbolic:
 * a dimension that follows the batch becomes 0 (copy) or −1 (infer) in Reshape, 1 in Expand, and an end-relative
 * index in Slice.
 */
final class OpMappings {
    private OpMappings() {}

    static void emit(OpContext c) {
        String name = c.a.name();
        switch (name) {
            case "AddBackward0" -> binary(c, "Add");
            case "SubBackward0" -> binary(c, "Sub");
            case "MulBackward0" -> binary(c, "Mul");
            case "DivBackward0" -> binary(c, "Div");
            case "PowBackward1" -> binary(c, "Pow");
            case "MaximumBackward0" -> binary(c, "Max");
            case "MinimumBackward0" -> binary(c, "Min");
            case "PowBackward0" -> pow(c);
            case "NegBackward0" -> unary(c, "Neg");
            case "ExpBackward0" -> unary(c, "Exp");
            case "LogBackward0" -> unary(c, "Log");
            case "SqrtBackward0" -> unary(c, "Sqrt");
            case "AbsBackward0" -> unary(c, "Abs");
            case "SignBackward0" -> unary(c, "Sign");
            case "ReciprocalBackward0" -> unary(c, "Reciprocal");
            case "SinBackward0" -> unary(c, "Sin");
            case "CosBackward0" -> unary(c, "Cos");
            case "TanhBackward0" -> unary(c, "Tanh");
            case "SigmoidBackward0" -> unary(c, "Sigmoid");
            case "ReluBackward0" -> unary(c, "Relu");
            case "ErfBackward0" -> unary(c, "Erf");
            case "CloneBackward0" -> c.node("Identity", List.of(c.in(0)), List.of(c.out()));
            case "LeakyReluBackward0" -> c.node("LeakyRelu", List.of(c.inAs(0, c.outType())), List.of(c.out()),
                    Attrs.f("alpha", c.a.doubleAttribute("slope")));
            case "GeluBackward0" -> gelu(c);
            case "ClampBackward1" -> clamp(c);
            case "Compare" -> compare(c);
            case "WhereBackward0" -> c.node("Where", List.of(c.in(0), c.inAs(1, c.outType()), c.inAs(2, c.outType())),
                    List.of(c.out()));
            case "SumBackward0" -> c.node("ReduceSum", List.of(c.inAs(0, c.outType())), List.of(c.out()), Attrs.i("keepdims", 0));
            case "SumBackward1" -> c.node("ReduceSum", List.of(c.inAs(0, c.outType()), c.longs(c.a.intAttribute("dim"))),
                    List.of(c.out()), keepDims(c));
            case "MaxBackward1" -> c.node("ReduceMax", List.of(c.in(0)), List.of(c.out()), Attrs.i("keepdims", 0));
            case "MinBackward1" -> c.node("ReduceMin", List.of(c.in(0)), List.of(c.out()), Attrs.i("keepdims", 0));
            case "MaxBackward0" -> reduceAlong(c, "ReduceMax");
            case "MinBackward0" -> reduceAlong(c, "ReduceMin");
            case "ArgMax", "ArgMin" -> c.node(name, List.of(c.in(0)), List.of(c.out()), Attrs.i("axis", c.a.intAttribute("dim")),
                    keepDims(c)); // both pick the first extreme (select_last_index = 0), as chainrule does
            case "ProdBackward0" -> c.node("ReduceProd", List.of(c.inAs(0, c.outType())), List.of(c.out()), Attrs.i("keepdims", 0));
            case "ProdBackward1" -> reduceAlong(c, "ReduceProd");
            case "NormBackward1" -> c.node("ReduceL2", List.of(c.in(0)), List.of(c.out()), Attrs.i("keepdims", 0));
            case "SoftmaxBackward0" -> softmax(c, "Softmax");
            case "LogSoftmaxBackward0" -> softmax(c, "LogSoftmax");
            case "AddmmBackward0", "MmBackward0" -> {
                if (c.operandCount() == 3) linear(c);
                else c.node("MatMul", List.of(c.inAs(0, c.outType()), c.inAs(1, c.outType())), List.of(c.out()));
            }
            case "BmmBackward0" -> c.node("MatMul", List.of(c.inAs(0, c.outType()), c.inAs(1, c.outType())), List.of(c.out()));
            case "ToCopyBackward0" -> c.node("Cast", List.of(c.in(0)), List.of(c.out()),
                    Attrs.i("to", TensorProtos.elementType(c.outType())));
            case "ViewBackward0", "UnsafeViewBackward0" -> ShapeMappings.reshape(c);
            case "UnsqueezeBackward0" -> ShapeMappings.unsqueeze(c);
            case "SqueezeBackward0", "SqueezeBackward1" -> ShapeMappings.squeeze(c);
            case "TransposeBackward0", "TBackward0", "PermuteBackward0" -> ShapeMappings.transpose(c);
            case "ExpandBackward0" -> ShapeMappings.expand(c);
            case "SliceBackward0" -> ShapeMappings.slice(c);
            case "CatBackward0" -> {
                List<String> ins = new ArrayList<>();
                for (int i = 0; i < c.operandCount(); i++) ins.add(c.inAs(i, c.outType()));
                c.node("Concat", ins, List.of(c.out()), Attrs.i("axis", c.a.intAttribute("dim")));
            }
            case "IndexSelectBackward0", "EmbeddingBackward0" -> c.node("Gather", List.of(c.in(0), c.in(1)), List.of(c.out()),
                    Attrs.i("axis", name.equals("EmbeddingBackward0") ? 0 : c.a.intAttribute("dim")));
            case "GatherBackward0" -> c.node("GatherElements", List.of(c.in(0), c.in(1)), List.of(c.out()),
                    Attrs.i("axis", c.a.intAttribute("dim")));
            case "ConstantPadNdBackward0" -> pad(c);
            case "ConvolutionBackward0" -> LayerMappings.conv(c);
            case "MaxPool2DWithIndicesBackward0" -> LayerMappings.maxPool(c);
            case "AvgPool2DBackward0" -> LayerMappings.avgPool(c);
            case "AdaptiveAvgPool2DBackward0" -> LayerMappings.adaptiveAvgPool(c);
            case "NativeBatchNormBackward0" -> LayerMappings.batchNorm(c);
            case "NativeLayerNormBackward0" -> LayerMappings.layerNorm(c);
            case "LstmBackward", "GruBackward", "RnnTanhBackward", "RnnReluBackward" -> RecurrentMapping.emit(c);
            default -> throw c.unsupported("has no ONNX mapping");
        }
    }

    private static void binary(OpContext c, String op) {
        c.node(op, List.of(c.inAs(0, c.outType()), c.inAs(1, c.outType())), List.of(c.out()));
    }

    private static void unary(OpContext c, String op) {
        c.node(op, List.of(c.inAs(0, c.outType())), List.of(c.out()));
    }

    private static ai.onnx.proto.OnnxMl.AttributeProto keepDims(OpContext c) {
        return Attrs.i("keepdims", Boolean.TRUE.equals(c.a.attribute("keepDim")) ? 1 : 0);
    }

    private static void reduceAlong(OpContext c, String op) {
        // opset 17: ReduceMax/Min/Prod still take axes as an attribute (only ReduceSum moved them to an input)
        c.node(op, List.of(c.inAs(0, c.outType())), List.of(c.out()), Attrs.ints("axes", c.a.intAttribute("dim")), keepDims(c));
    }

    private static void softmax(OpContext c, String op) {
        if (c.inShape(0).length == 0) {
            c.node("Identity", List.of(c.constant(io.chainrule.Tensor.scalar(op.equals("Softmax") ? 1 : 0, c.outType()))),
                    List.of(c.out()));
            return;
        }
        c.node(op, List.of(c.inAs(0, c.outType())), List.of(c.out()), Attrs.i("axis", c.a.intAttribute("dim")));
    }

    /** x^p; p = 2 as x·x (exact, as chainrule squares). */
    private static void pow(OpContext c) {
        double p = c.a.doubleAttribute("exponent");
        String x = c.inAs(0, c.outType());
        if (p == 2) c.node("Mul", List.of(x, x), List.of(c.out()));
        else if (p == 1) c.node("Identity", List.of(x), List.of(c.out()));
        else c.node("Pow", List.of(x, c.scalar(p, c.outType())), List.of(c.out()));
    }

    /** GELU, exact: 0.5·x·(1 + erf(x/√2)) (opset 17 has no Gelu). */
    private static void gelu(OpContext c) {
        DType t = c.outType();
        String x = c.inAs(0, t);
        String scaled = c.tmp("gelu_scaled"), erf = c.tmp("gelu_erf"), plus = c.tmp("gelu_plus"), half = c.tmp("gelu_half");
        c.node("Mul", List.of(x, c.scalar(Math.sqrt(0.5), t)), List.of(scaled));
        c.node("Erf", List.of(scaled), List.of(erf));
        c.node("Add", List.of(erf, c.scalar(1, t)), List.of(plus));
        c.node("Mul", List.of(x, c.scalar(0.5, t)), List.of(half));
        c.node("Mul", List.of(half, plus), List.of(c.out()));
    }

    private static void clamp(OpContext c) {
        double min = c.a.doubleAttribute("min"), max = c.a.doubleAttribute("max");
        DType t = c.outType();
        String lo = Double.isInfinite(min) && min < 0 ? "" : c.scalar(min, t);
        String hi = Double.isInfinite(max) && max > 0 ? "" : c.scalar(max, t);
        if (min > max) lo = hi; // chainrule (and PyTorch) give max everywhere then
        c.node("Clip", List.of(c.inAs(0, t), lo, hi), List.of(c.out()));
    }

    private static void compare(OpContext c) {
        DType t = DType.promote(c.inType(0), c.inType(1));
        List<String> ins = List.of(c.inAs(0, t), c.inAs(1, t));
        String op = (String) c.a.attribute("op");
        switch (op) {
            case "EQ" -> c.node("Equal", ins, List.of(c.out()));
            case "NE" -> {
                String eq = c.tmp("equal");
                c.node("Equal", ins, List.of(eq));
                c.node("Not", List.of(eq), List.of(c.out()));
            }
            case "GT" -> c.node("Greater", ins, List.of(c.out()));
            case "GE" -> c.node("GreaterOrEqual", ins, List.of(c.out()));
            case "LT" -> c.node("Less", ins, List.of(c.out()));
            case "LE" -> c.node("LessOrEqual", ins, List.of(c.out()));
            default -> throw c.unsupported("compares with an unknown operator " + op);
        }
    }

    /** x·Wᵀ + b: Gemm (transB) for a matrix x, else MatMul with Wᵀ and Add. */
    private static void linear(OpContext c) {
        DType t = c.outType();
        List<String> ins = new ArrayList<>(List.of(c.inAs(0, t), c.inAs(1, t)));
        if (c.inShape(0).length == 2) {
            if (c.present(2)) ins.add(c.inAs(2, t));
            c.node("Gemm", ins, List.of(c.out()), Attrs.i("transB", 1));
            return;
        }
        String wt = c.tmp("weight_t"), product = c.present(2) ? c.tmp("matmul") : c.out();
        c.node("Transpose", List.of(ins.get(1)), List.of(wt), Attrs.ints("perm", 1, 0));
        c.node("MatMul", List.of(ins.get(0), wt), List.of(product));
        if (c.present(2)) c.node("Add", List.of(product, c.inAs(2, t)), List.of(c.out()));
    }

    /** PyTorch's pad order (last dimension first, before/after pairs) as ONNX's (all begins, then all ends). */
    private static void pad(OpContext c) {
        int[] p = c.a.intsAttribute("padding");
        int rank = c.inShape(0).length;
        long[] pads = new long[2 * rank];
        for (int j = 0; j < p.length / 2; j++) {
            int d = rank - 1 - j;
            pads[d] = p[2 * j];
            pads[rank + d] = p[2 * j + 1];
        }
        c.node("Pad", List.of(c.in(0), c.longs(pads)), List.of(c.out()), Attrs.s("mode", "constant"));
    }
}
