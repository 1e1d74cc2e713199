package io.chainrule.onnx;

import io.chainrule.DType;
import io.chainrule.Tensor;

import java.util.function.BinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * Elementwise ONNX ops: arithmetic with NumPy broadcasting, activations, comparisons and logic, Where, Clip and Cast.
 * Float ops are chainrule tensor ops, so they differentiate; on INT64 tensors (shape arithmetic) they compute plain
 * values. Activations that chainrule has no single op for are written out of ops it has (Elu = α(eˣ − 1) below 0).
 */
final class MathOps {
    private MathOps() {}

    // ----------------------------------------------------------------------------------------------- builders

    /** An op of one input and no attributes. */
    static OpCompiler unary(UnaryOperator<Tensor> f) {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            return Kernel.of(in -> f.apply(in[0]));
        };
    }

    /** An op of two broadcast inputs and no attributes. */
    static OpCompiler binary(BinaryOperator<Tensor> f) {
        return node -> {
            node.expectInputs(2, 2);
            node.expectOutputs(1, 1);
            return Kernel.of(in -> f.apply(in[0], in[1]));
        };
    }

    /** An op folding any number (≥ 1) of broadcast inputs (Sum, Max, Min). */
    static OpCompiler variadic(BinaryOperator<Tensor> f) {
        return node -> {
            node.expectInputs(1, Integer.MAX_VALUE);
            node.expectOutputs(1, 1);
            return Kernel.of(in -> {
                Tensor acc = in[0];
                for (int i = 1; i < in.length; i++) acc = f.apply(acc, in[i]);
                return acc;
            });
        };
    }

    /** A float function with no useful gradient (zero almost everywhere: Floor, Ceil, Round), on raw values. */
    static OpCompiler stepFunction(DoubleUnaryOperator f) {
        return unary(x -> {
            if (!x.dtype().isFloatingPoint()) return x;
            double[] v = x.toDoubleArray();
            for (int i = 0; i < v.length; i++) v[i] = f.applyAsDouble(v[i]);
            return Tensor.of(v, v.length).reshape(x.shape()).to(x.dtype()); // Tensor.of with no shape would be 1-D
        });
    }

    // ----------------------------------------------------------------------------------------------- arithmetic

    /** ONNX Div: true division for floats, truncating division for integers. */
    static Tensor div(Tensor a, Tensor b) {
        if (a.dtype().isFloatingPoint() || b.dtype().isFloatingPoint()) return a.div(b);
        return a.to(DType.FLOAT64).div(b.to(DType.FLOAT64)).to(DType.INT64);
    }

    /** ONNX Pow: the result has the base's type. */
    static Tensor pow(Tensor base, Tensor exponent) {
        Tensor e = exponent.dtype() == DType.BOOL ? exponent.to(base.dtype()) : exponent;
        if (e.numel() == 1 && e.dim() <= base.dim() && !e.requiresGrad()) {
            Tensor y = base.pow(e.item()); // one op with the simple derivative p·x^(p−1), no log(x) term
            return y.dtype() == base.dtype() ? y : y.to(base.dtype());
        }
        Tensor y = base.pow(e);
        return y.dtype() == base.dtype() ? y : y.to(base.dtype());
    }

    static Tensor mean(Tensor[] in) {
        Tensor acc = in[0];
        for (int i = 1; i < in.length; i++) acc = acc.add(in[i]);
        return acc.div(in.length);
    }

    static OpCompiler mean() {
        return node -> {
            node.expectInputs(1, Integer.MAX_VALUE);
            node.expectOutputs(1, 1);
            return Kernel.of(MathOps::mean);
        };
    }

    // ------------------------------------------------------------------------------------------- activations

    static OpCompiler leakyRelu() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            double alpha = node.attrFloat("alpha", 0.01);
            return Kernel.of(in -> in[0].leakyRelu(alpha));
        };
    }

    /** Gelu (opset 20): x·Φ(x) exactly (chainrule's erf GELU), or with the tanh approximation. */
    static OpCompiler gelu() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            String approximate = node.attrString("approximate", "none");
            node.require(approximate.equals("none") || approximate.equals("tanh"), "approximate '" + approximate + "'");
            boolean tanh = approximate.equals("tanh");
            double c = Math.sqrt(2 / Math.PI);
            return Kernel.of(in -> tanh
                    ? in[0].mul(in[0].add(in[0].pow(3).mul(0.044715)).mul(c).tanh().add(1)).mul(0.5)
                    : in[0].gelu());
        };
    }

    /** α(eˣ − 1) for x below 0; the exponential of min(x, 0), so large x cannot overflow into the gradient. */
    private static Tensor expm1Negative(Tensor x, double alpha) {
        return x.clamp(-Double.MAX_VALUE, 0).exp().sub(1).mul(alpha);
    }

    static OpCompiler elu() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            double alpha = node.attrFloat("alpha", 1.0);
            return Kernel.of(in -> in[0].gt(0).where(in[0], expm1Negative(in[0], alpha)));
        };
    }

    static OpCompiler selu() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            double alpha = node.attrFloat("alpha", 1.67326319217681884765625);
            double gamma = node.attrFloat("gamma", 1.05070102214813232421875);
            return Kernel.of(in -> in[0].gt(0).where(in[0], expm1Negative(in[0], alpha)).mul(gamma));
        };
    }

    static OpCompiler celu() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            double alpha = node.attrFloat("alpha", 1.0);
            if (alpha == 0) throw node.malformed("alpha must not be 0");
            return Kernel.of(in -> in[0].gt(0).where(in[0], expm1Negative(in[0].div(alpha), alpha)));
        };
    }

    static OpCompiler hardSigmoid() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            double alpha = node.attrFloat("alpha", 0.2), beta = node.attrFloat("beta", 0.5);
            return Kernel.of(in -> in[0].mul(alpha).add(beta).clamp(0, 1));
        };
    }

    static Tensor hardSwish(Tensor x) {
        return x.mul(x.div(6).add(0.5).clamp(0, 1));
    }

    static Tensor softplus(Tensor x) {
        return x.exp().add(1).log();
    }

    static Tensor softsign(Tensor x) {
        return x.div(x.abs().add(1));
    }

    static OpCompiler thresholdedRelu() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            double alpha = node.attrFloat("alpha", 1.0);
            return Kernel.of(in -> in[0].gt(alpha).where(in[0], Tensor.scalar(0, in[0].dtype())));
        };
    }

    static Tensor prelu(Tensor x, Tensor slope) {
        return x.lt(0).where(x.mul(slope), x);
    }

    // --------------------------------------------------------------------------------------- logic, selection

    static Tensor not(Tensor x) {
        return x.eq(0);
    }

    static Tensor and(Tensor a, Tensor b) {
        return a.to(DType.INT64).mul(b.to(DType.INT64)).ne(0);
    }

    static Tensor or(Tensor a, Tensor b) {
        return a.to(DType.INT64).add(b.to(DType.INT64)).ne(0);
    }

    static Tensor xor(Tensor a, Tensor b) {
        return a.ne(b);
    }

    static OpCompiler where() {
        return node -> {
            node.expectInputs(3, 3);
            node.expectOutputs(1, 1);
            return Kernel.of(in -> {
                if (in[0].dtype() != DType.BOOL) throw node.badInput("the condition must be BOOL, got " + in[0].dtype());
                return Tensor.where(in[0], in[1], in[2]);
            });
        };
    }

    /** Clip: bounds as optional inputs (opset 11 on) or attributes (before). */
    static OpCompiler clip() {
        return node -> {
            node.expectInputs(1, 3);
            node.expectOutputs(1, 1);
            double attrMin = node.attrFloat("min", Double.NEGATIVE_INFINITY);
            double attrMax = node.attrFloat("max", Double.POSITIVE_INFINITY);
            boolean hasMin = node.hasInput(1), hasMax = node.hasInput(2);
            return Kernel.of(in -> {
                Tensor x = in[0];
                double lo = hasMin ? Values.scalar(node, in[1], "min") : attrMin;
                double hi = hasMax ? Values.scalar(node, in[2], "max") : attrMax;
                if (x.dtype().isFloatingPoint()) return x.clamp(Math.max(lo, -Double.MAX_VALUE), Math.min(hi, Double.MAX_VALUE));
                Tensor y = x;
                if (lo > Long.MIN_VALUE) y = y.maximum(Tensor.scalar(lo, x.dtype()));
                if (hi < Long.MAX_VALUE) y = y.minimum(Tensor.scalar(hi, x.dtype()));
                return y;
            });
        };
    }

    // -------------------------------------------------------------------------------------------------- Cast

    static OpCompiler cast() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            int to = (int) node.attrInt("to", -1);
            DType target = TensorDecoder.dtypeOf(to);
            if (target == null) throw node.unsupported("cast to " + TensorDecoder.typeName(to));
            return Kernel.of(in -> cast(in[0], to, target));
        };
    }

    /** Converts to ONNX type {@code to}: BOOL is "not zero"; the narrow integer types wrap as in C. */
    static Tensor cast(Tensor x, int to, DType target) {
        if (target == DType.BOOL) return x.dtype() == DType.BOOL ? x : x.ne(0);
        Tensor y = x.dtype() == target ? x : x.to(target);
        if (target != DType.INT64 || to == TensorDecoder.INT64) return y;
        long[] v = y.toLongArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (to) {
                case TensorDecoder.UINT8 -> v[i] & 0xFF;
                case TensorDecoder.INT8 -> (byte) v[i];
                case TensorDecoder.UINT16 -> v[i] & 0xFFFF;
                case TensorDecoder.INT16 -> (short) v[i];
                case TensorDecoder.UINT32 -> v[i] & 0xFFFFFFFFL;
                default -> (int) v[i];
            };
        }
        return Tensor.of(v, v.length).reshape(y.shape());
    }

    /** CastLike: the type of the second input. */
    static OpCompiler castLike() {
        return node -> {
            node.expectInputs(2, 2);
            node.expectOutputs(1, 1);
            return Kernel.of(in -> {
                DType t = in[1].dtype();
                int to = t == DType.FLOAT32 ? TensorDecoder.FLOAT : t == DType.FLOAT64 ? TensorDecoder.DOUBLE
                        : t == DType.BOOL ? TensorDecoder.BOOL : TensorDecoder.INT64;
                return cast(in[0], to, t);
            });
        };
    }

    // ------------------------------------------------------------------------ trigonometric and hyperbolic

    static Tensor tan(Tensor x) {
        return x.sin().div(x.cos());
    }

    static Tensor sinh(Tensor x) {
        return x.exp().sub(x.neg().exp()).mul(0.5);
    }

    static Tensor cosh(Tensor x) {
        return x.exp().add(x.neg().exp()).mul(0.5);
    }

    static Tensor asinh(Tensor x) {
        return x.add(x.square().add(1).sqrt()).log();
    }

    static Tensor acosh(Tensor x) {
        return x.add(x.square().sub(1).sqrt()).log();
    }

    static Tensor atanh(Tensor x) {
        return x.add(1).div(x.neg().add(1)).log().mul(0.5);
    }

    // -------------------------------------------------------------------------------- IsInf, Mod, Shrink

    static OpCompiler isInf() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            boolean negative = node.attrInt("detect_negative", 1) != 0, positive = node.attrInt("detect_positive", 1) != 0;
            return Kernel.of(in -> {
                Tensor pos = in[0].eq(Double.POSITIVE_INFINITY), neg = in[0].eq(Double.NEGATIVE_INFINITY);
                if (positive && negative) return or(pos, neg);
                return positive ? pos : negative ? neg : pos.ne(pos);
            });
        };
    }

    /**
     * Mod: a − b·q with q = trunc(a / b) (fmod = 1, C's fmod) or floor(a / b) (fmod = 0, the sign of the divisor, as
     * Python). q is a step function of its inputs, so it carries no gradient; a − b·q differentiates as it should.
     */
    static OpCompiler mod() {
        return node -> {
            node.expectInputs(2, 2);
            node.expectOutputs(1, 1);
            boolean fmod = node.attrInt("fmod", 0) != 0;
            return Kernel.of(in -> {
                Tensor a = in[0], b = in[1];
                boolean integers = !a.dtype().isFloatingPoint() && !b.dtype().isFloatingPoint();
                if (integers && !fmod) {
                    Tensor q = quotient(a.to(DType.FLOAT64), b.to(DType.FLOAT64), false);
                    return a.to(DType.FLOAT64).sub(b.to(DType.FLOAT64).mul(q)).to(DType.INT64);
                }
                if (!fmod) throw node.badInput("float inputs need fmod = 1");
                Tensor q = quotient(a.to(DType.FLOAT64), b.to(DType.FLOAT64), true);
                Tensor r = a.sub(b.mul(q.to(a.dtype())));
                return integers ? r.to(DType.INT64) : r;
            });
        };
    }

    private static Tensor quotient(Tensor a, Tensor b, boolean truncate) {
        Tensor ratio = a.div(b);
        double[] v = ratio.toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = truncate ? (v[i] < 0 ? Math.ceil(v[i]) : Math.floor(v[i])) : Math.floor(v[i]);
        return Tensor.of(v, v.length).reshape(ratio.shape());
    }

    static OpCompiler shrink() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            double bias = node.attrFloat("bias", 0), lambd = node.attrFloat("lambd", 0.5);
            return Kernel.of(in -> {
                Tensor x = in[0], zero = Tensor.scalar(0, x.dtype());
                return x.lt(-lambd).where(x.add(bias), x.gt(lambd).where(x.sub(bias), zero));
            });
        };
    }
}
