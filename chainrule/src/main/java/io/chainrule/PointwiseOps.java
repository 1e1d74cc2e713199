package io.chainrule;

import io.chainrule.tensor.Loops;
import io.chainrule.tensor.Pointwise.Binary;
import io.chainrule.tensor.Pointwise.Compare;
import io.chainrule.tensor.Pointwise.Unary;
import io.chainrule.tensor.Shapes;

import static io.chainrule.Recorder.inputs;
import static io.chainrule.Recorder.record;
import static io.chainrule.Recorder.traced;

/**
 * Elementwise ops, each forward next to its derivative. Backward rules are written in tensor ops, so they are
 * differentiable again (createGraph). Piecewise-constant factors (masks, signs) are comparisons, which never record,
 * so their derivative is zero as it should be. Subgradients follow PyTorch: relu'(0) = 0, abs'(0) = 0, clamp passes
 * the gradient on its boundary, maximum/minimum split it in half at ties.
 */
final class PointwiseOps {
    private static final double SQRT1_2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    private PointwiseOps() {}

    private static Tensor[] one(Tensor g) {
        return new Tensor[] {g};
    }

    // ------------------------------------------------------------------------------------------------ forward kernels

    /** The type math functions compute in: integers and booleans become float32, as in PyTorch. */
    static DType floatType(DType t) {
        return t.isFloatingPoint() ? t : DType.FLOAT32;
    }

    /** Applies a unary kernel; integer inputs are computed in float64 and cast back when {@code keepIntegers}. */
    private static Tensor map(Tensor x, Unary op, double p, double q, boolean keepIntegers) {
        DType compute = x.dtype.isFloatingPoint() ? x.dtype : keepIntegers ? DType.FLOAT64 : DType.FLOAT32;
        Tensor xc = x.castRaw(compute).contiguousRaw();
        Tensor out = Tensor.allocateForOverwrite(compute, x.shape.clone());
        Loops.unary(op, p, q, xc.data(), xc.offset, out.data(), 0, out.numel());
        return keepIntegers && !x.dtype.isFloatingPoint() ? out.castRaw(x.dtype == DType.BOOL ? DType.INT64 : x.dtype) : out;
    }

    private static Tensor map(Tensor x, Unary op) {
        return map(x, op, 0, 0, false);
    }

    /** Result type of + - * and friends: promotion, with bool op bool staying bool (logical), as in PyTorch. */
    private static DType arithmeticType(Tensor a, Tensor b) {
        return DType.promote(a.dtype, b.dtype);
    }

    /** A broadcasting binary kernel computed in float (integers in float64, exact below 2^53), cast to {@code result}. */
    static Tensor binaryRaw(String op, Binary kind, Tensor a, Tensor b, DType result) {
        int[] shape = Shapes.broadcast(op, a.shape, b.shape);
        DType compute = result.isFloatingPoint() ? result : DType.FLOAT64;
        Tensor x = a.castRaw(compute), y = b.castRaw(compute);
        Tensor out = Tensor.allocateForOverwrite(compute, shape);
        Loops.binary(kind, x.data(), x.offset, Shapes.broadcastStrides(x.shape, x.strides, shape),
                y.data(), y.offset, Shapes.broadcastStrides(y.shape, y.strides, shape),
                out.data(), 0, out.strides, shape);
        return out.castRaw(result);
    }

    // ------------------------------------------------------------------------------------------ binary arithmetic

    static Tensor add(Tensor a, Tensor b) {
        Tensor out = binaryRaw("add", Binary.ADD, a, b, arithmeticType(a, b));
        return record(out, "AddBackward0", (g, need) -> new Tensor[] {g, g}, inputs(a, b));
    }

    static Tensor sub(Tensor a, Tensor b) {
        Tensor out = binaryRaw("sub", Binary.SUB, a, b, arithmeticType(a, b));
        return record(out, "SubBackward0", (g, need) -> new Tensor[] {g, need[1] ? g.neg() : null}, inputs(a, b));
    }

    static Tensor mul(Tensor a, Tensor b) {
        Tensor out = binaryRaw("mul", Binary.MUL, a, b, arithmeticType(a, b));
        return record(out, "MulBackward0", (g, need) -> new Tensor[] {need[0] ? g.mul(b) : null, need[1] ? g.mul(a) : null},
                inputs(a, b), b.requiresGrad() ? a : null, a.requiresGrad() ? b : null);
    }

    /** True division: integer operands give float32, as in PyTorch. */
    static Tensor div(Tensor a, Tensor b) {
        DType t = floatType(arithmeticType(a, b));
        Tensor out = binaryRaw("div", Binary.DIV, a, b, t);
        return record(out, "DivBackward0", (g, need) -> new Tensor[] {
                need[0] ? g.div(b) : null,
                need[1] ? g.neg().mul(a).div(b.square()) : null}, inputs(a, b), a, b);
    }

    /**
     * a^p. An integer tensor stays integer for a whole p ≥ 0 (computed in float64, exact below 2^53), as PyTorch's
     * int ** int; a fractional p gives float32, a negative whole p is refused as in PyTorch.
     */
    static Tensor pow(Tensor a, double p) {
        boolean whole = p == Math.rint(p) && !Double.isInfinite(p);
        if (!a.dtype.isFloatingPoint() && whole && p < 0) {
            throw new IllegalArgumentException("pow: integers to negative integer powers are not allowed (" + a.dtype
                    + " tensor of shape " + Shapes.str(a.shape) + ", exponent " + p + "); convert with to(DType.FLOAT32)");
        }
        Tensor out = p == 2 ? map(a, Unary.SQUARE, 0, 0, true) : map(a, Unary.POW, p, 0, whole);
        Tensor r = record(out, "PowBackward0", (g, need) -> one(p == 0 ? g.mul(0.0) : g.mul(a.pow(p - 1).mul(p))), inputs(a), a);
        return OpTracer.isTracing() ? traced(r, "exponent", p) : r;
    }

    /**
     * a^b; d/da is masked to 0 where b = 0 and d/db where a = 0 and b ≥ 0 (PyTorch's convention, avoiding 0·0⁻¹ and
     * 0·log 0).
     */
    static Tensor pow(Tensor a, Tensor b) {
        Tensor out = binaryRaw("pow", Binary.POW, a, b, floatType(arithmeticType(a, b)));
        return record(out, "PowBackward1", (g, need) -> new Tensor[] {
                need[0] ? Tensor.where(b.eq(0.0), g.mul(0.0), g.mul(b).mul(a.pow(b.sub(1.0)))) : null,
                need[1] ? Tensor.where(a.eq(0.0).mul(b.ge(0.0)), g.mul(0.0), g.mul(out).mul(a.log())) : null},
                inputs(a, b), a, b, out);
    }

    /** Elementwise maximum: a strictly larger side takes the gradient, ties split it in half. */
    static Tensor maximum(Tensor a, Tensor b) {
        Tensor out = binaryRaw("maximum", Binary.MAXIMUM, a, b, arithmeticType(a, b));
        return record(out, "MaximumBackward0", (g, need) -> splitAtTies(g, a.gt(b), a.eq(b), need), inputs(a, b), a, b);
    }

    static Tensor minimum(Tensor a, Tensor b) {
        Tensor out = binaryRaw("minimum", Binary.MINIMUM, a, b, arithmeticType(a, b));
        return record(out, "MinimumBackward0", (g, need) -> splitAtTies(g, a.lt(b), a.eq(b), need), inputs(a, b), a, b);
    }

    /** Weight w = [a wins] + ½[tie] goes to a, 1 − w to b. */
    private static Tensor[] splitAtTies(Tensor g, Tensor aWins, Tensor tie, boolean[] need) {
        Tensor w = aWins.to(g.dtype).add(tie.to(g.dtype).mul(0.5));
        return new Tensor[] {need[0] ? g.mul(w) : null, need[1] ? g.mul(w.neg().add(1.0)) : null};
    }

    // ------------------------------------------------------------------------------------------------ unary math

    static Tensor neg(Tensor x) {
        Tensor out = map(x, Unary.NEG, 0, 0, true);
        return record(out, "NegBackward0", (g, need) -> one(g.neg()), inputs(x));
    }

    static Tensor exp(Tensor x) {
        Tensor out = map(x, Unary.EXP);
        return record(out, "ExpBackward0", (g, need) -> one(g.mul(out)), inputs(x), out);
    }

    static Tensor log(Tensor x) {
        Tensor out = map(x, Unary.LOG);
        return record(out, "LogBackward0", (g, need) -> one(g.div(x)), inputs(x), x);
    }

    static Tensor sqrt(Tensor x) {
        Tensor out = map(x, Unary.SQRT);
        return record(out, "SqrtBackward0", (g, need) -> one(g.div(out.mul(2.0))), inputs(x), out);
    }

    static Tensor abs(Tensor x) {
        Tensor out = map(x, Unary.ABS, 0, 0, true);
        return record(out, "AbsBackward0", (g, need) -> one(g.mul(x.sign())), inputs(x), x);
    }

    static Tensor sign(Tensor x) {
        Tensor out = map(x, Unary.SIGN, 0, 0, true);
        return record(out, "SignBackward0", (g, need) -> one(g.mul(0.0)), inputs(x));
    }

    static Tensor square(Tensor x) {
        Tensor out = map(x, Unary.SQUARE, 0, 0, true);
        Tensor r = record(out, "PowBackward0", (g, need) -> one(g.mul(x).mul(2.0)), inputs(x), x);
        return OpTracer.isTracing() ? traced(r, "exponent", 2.0) : r;
    }

    static Tensor reciprocal(Tensor x) {
        Tensor out = map(x, Unary.RECIPROCAL);
        return record(out, "ReciprocalBackward0", (g, need) -> one(g.neg().mul(out.square())), inputs(x), out);
    }

    static Tensor sin(Tensor x) {
        Tensor out = map(x, Unary.SIN);
        return record(out, "SinBackward0", (g, need) -> one(g.mul(x.cos())), inputs(x), x);
    }

    static Tensor cos(Tensor x) {
        Tensor out = map(x, Unary.COS);
        return record(out, "CosBackward0", (g, need) -> one(g.mul(x.sin()).neg()), inputs(x), x);
    }

    static Tensor tanh(Tensor x) {
        Tensor out = map(x, Unary.TANH);
        return record(out, "TanhBackward0", (g, need) -> one(g.mul(out.square().neg().add(1.0))), inputs(x), out);
    }

    static Tensor sigmoid(Tensor x) {
        Tensor out = map(x, Unary.SIGMOID);
        return record(out, "SigmoidBackward0", (g, need) -> one(g.mul(out.mul(out.neg().add(1.0)))), inputs(x), out);
    }

    /** relu'(0) = 0: the mask is out > 0. A NaN input gives NaN, as in PyTorch (relu is clamp_min there), not 0. */
    static Tensor relu(Tensor x) {
        Tensor out = map(x, Unary.RELU, 0, 0, true);
        return record(out, "ReluBackward0", (g, need) -> one(reluGrad(g, out)), inputs(x), out);
    }

    /**
     * relu's backward in one pass: {@code out <= 0 ? 0 : g} (PyTorch's threshold_backward, so a NaN gradient where
     * the unit is off stays 0, and a NaN output passes its gradient on). Recorded itself, for higher-order gradients: linear in g, constant in out.
     */
    static Tensor reluGrad(Tensor g, Tensor out) {
        Tensor r = binaryRaw("relu backward", Binary.RELU_GRAD, g, out, arithmeticType(g, out));
        return record(r, "ThresholdBackwardBackward0", (gg, need) -> one(reluGrad(gg, out)), inputs(g), out);
    }

    /** Slope 1 for x > 0, {@code slope} otherwise (0 included), as PyTorch. */
    static Tensor leakyRelu(Tensor x, double slope) {
        Tensor out = map(x, Unary.LEAKY_RELU, slope, 0, false);
        Tensor r = record(out, "LeakyReluBackward0", (g, need) ->
                one(g.mul(Tensor.where(x.gt(0.0), Tensor.scalar(1.0, g.dtype), Tensor.scalar(slope, g.dtype)))), inputs(x), x);
        return OpTracer.isTracing() ? traced(r, "slope", slope) : r;
    }

    /** GELU'(x) = Φ(x) + x·φ(x). */
    static Tensor gelu(Tensor x) {
        Tensor out = map(x, Unary.GELU);
        return record(out, "GeluBackward0", (g, need) -> {
            Tensor cdf = x.mul(SQRT1_2).erf().add(1.0).mul(0.5);
            Tensor pdf = x.square().mul(-0.5).exp().mul(INV_SQRT_2PI);
            return one(g.mul(cdf.add(x.mul(pdf))));
        }, inputs(x), x);
    }

    static Tensor erf(Tensor x) {
        Tensor out = map(x, Unary.ERF);
        return record(out, "ErfBackward0", (g, need) -> one(g.mul(x.square().neg().exp().mul(TWO_OVER_SQRT_PI))), inputs(x), x);
    }

    /** The gradient passes where min ≤ x ≤ max, boundaries included (PyTorch's clamp). */
    /** min(max(x, min), max): with min > max every element becomes max, as in PyTorch; NaN stays NaN. */
    static Tensor clamp(Tensor x, double min, double max) {
        if (Double.isNaN(min) || Double.isNaN(max)) {
            throw new IllegalArgumentException("clamp: bounds must not be NaN, got min " + min + " and max " + max);
        }
        // An integer tensor stays integer unless a bound has a fraction (then float32, as PyTorch promotes).
        boolean integralBounds = min == Math.rint(min) && max == Math.rint(max);
        Tensor out = map(x, Unary.CLAMP, min, max, integralBounds);
        Tensor r = record(out, "ClampBackward1", (g, need) -> one(g.mul(x.ge(min)).mul(x.le(max))), inputs(x), x);
        return OpTracer.isTracing() ? traced(r, "min", min, "max", max) : r;
    }

    // --------------------------------------------------------------------------------------- comparisons, where

    static Tensor compare(Tensor a, Tensor b, Compare op) {
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        int[] shape = Shapes.broadcast(name, a.shape, b.shape);
        DType promoted = DType.promote(a.dtype, b.dtype);
        DType compute = promoted.isFloatingPoint() ? promoted : DType.FLOAT64;
        Tensor x = a.castRaw(compute), y = b.castRaw(compute);
        Tensor out = Tensor.allocate(DType.BOOL, shape);
        Loops.compare(op, x.data(), x.offset, Shapes.broadcastStrides(x.shape, x.strides, shape),
                y.data(), y.offset, Shapes.broadcastStrides(y.shape, y.strides, shape), (boolean[]) out.data(), shape);
        // comparisons record no node (their results have no gradient), but a trace must still see them
        return OpTracer.isTracing() ? OpTracer.op(out, "Compare", inputs(a, b), "op", op.name()) : out;
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype != DType.BOOL) {
            throw new IllegalArgumentException("where: the condition must be a BOOL tensor, got " + cond.dtype
                    + " (shape " + Shapes.str(cond.shape) + "); build it with a comparison such as x.gt(0)");
        }
        int[] shape = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape, a.shape), b.shape);
        DType t = DType.promote(a.dtype, b.dtype);
        Tensor x = a.castRaw(t), y = b.castRaw(t);
        Tensor out = Tensor.allocate(t, shape);
        Loops.where((boolean[]) cond.data(), cond.offset, Shapes.broadcastStrides(cond.shape, cond.strides, shape),
                x.data(), x.offset, Shapes.broadcastStrides(x.shape, x.strides, shape),
                y.data(), y.offset, Shapes.broadcastStrides(y.shape, y.strides, shape), out.data(), shape);
        Tensor r = record(out, "WhereBackward0", (g, need) -> {
            Tensor zero = Tensor.scalar(0.0, g.dtype);
            return new Tensor[] {need[0] ? Tensor.where(cond, g, zero) : null, need[1] ? Tensor.where(cond, zero, g) : null};
        }, inputs(a, b), cond);
        return OpTracer.isTracing() ? traced(r, "condition", cond) : r;
    }
}
