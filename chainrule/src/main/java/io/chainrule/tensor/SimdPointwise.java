package io.chainrule.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector bodies of the common {@link Pointwise} rows: neg, abs, square and relu (and, for floats, tanh and sigmoid);
 * add, sub, mul, div and the relu mask, with each operand either contiguous (stride 1) or a broadcast scalar
 * (stride 0). Same IEEE operation per element as the scalar loops, so results agree bit for bit. Each method covers
 * whole vectors and returns how many elements it did; the caller finishes the tail. Float and double are twins;
 * change both together.
 *
 * <p>Why not leave it to the JIT: C2 does not vectorize {@code o[oo+i] = a[ao+i] + b[bo+i]} when it cannot prove the
 * arrays distinct (in-place ops pass the same array), and never for stride-0 operands.
 *
 * <p>Only loaded after {@link Simd#ENABLED} confirmed that {@code jdk.incubator.vector} is resolvable.
 */
final class SimdPointwise {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    private SimdPointwise() {}

    /** Whether this class has a vector body for {@code op} with these strides. */
    static boolean handles(Pointwise.Binary op, int as, int bs) {
        return (as == 1 || as == 0) && (bs == 1 || bs == 0) && (as | bs) != 0
                && (op == Pointwise.Binary.ADD || op == Pointwise.Binary.SUB || op == Pointwise.Binary.MUL
                || op == Pointwise.Binary.DIV || op == Pointwise.Binary.RELU_GRAD);
    }

    /** Whether this class has a vector body for the unary {@code op} on doubles. */
    static boolean handles(Pointwise.Unary op) {
        return op == Pointwise.Unary.NEG || op == Pointwise.Unary.ABS || op == Pointwise.Unary.SQUARE || op == Pointwise.Unary.RELU;
    }

    /** Whether this class has a vector body for the unary {@code op} on floats: also tanh and sigmoid ({@link SimdMath}). */
    static boolean handlesFloat(Pointwise.Unary op) {
        return handles(op) || op == Pointwise.Unary.TANH || op == Pointwise.Unary.SIGMOID;
    }

    static int unary(Pointwise.Unary op, float[] xs, int xo, float[] ys, int yo, int n) {
        int end = F.loopBound(n), step = F.length();
        switch (op) {
            case NEG -> { for (int i = 0; i < end; i += step) { FloatVector x = FloatVector.fromArray(F, xs, xo + i); x.neg().intoArray(ys, yo + i); } }
            case ABS -> { for (int i = 0; i < end; i += step) { FloatVector x = FloatVector.fromArray(F, xs, xo + i); x.abs().intoArray(ys, yo + i); } }
            case SQUARE -> { for (int i = 0; i < end; i += step) { FloatVector x = FloatVector.fromArray(F, xs, xo + i); x.mul(x).intoArray(ys, yo + i); } }
            case RELU -> { for (int i = 0; i < end; i += step) { FloatVector x = FloatVector.fromArray(F, xs, xo + i); x.blend(0f, x.compare(VectorOperators.LE, 0f)).intoArray(ys, yo + i); } }
            case TANH -> { return SimdMath.sigmoidOrTanh(true, xs, xo, ys, yo, n); }
            case SIGMOID -> { return SimdMath.sigmoidOrTanh(false, xs, xo, ys, yo, n); }
            default -> throw new AssertionError(op);
        }
        return end;
    }

    static int unary(Pointwise.Unary op, double[] xs, int xo, double[] ys, int yo, int n) {
        int end = D.loopBound(n), step = D.length();
        switch (op) {
            case NEG -> { for (int i = 0; i < end; i += step) { DoubleVector x = DoubleVector.fromArray(D, xs, xo + i); x.neg().intoArray(ys, yo + i); } }
            case ABS -> { for (int i = 0; i < end; i += step) { DoubleVector x = DoubleVector.fromArray(D, xs, xo + i); x.abs().intoArray(ys, yo + i); } }
            case SQUARE -> { for (int i = 0; i < end; i += step) { DoubleVector x = DoubleVector.fromArray(D, xs, xo + i); x.mul(x).intoArray(ys, yo + i); } }
            case RELU -> { for (int i = 0; i < end; i += step) { DoubleVector x = DoubleVector.fromArray(D, xs, xo + i); x.blend(0d, x.compare(VectorOperators.LE, 0d)).intoArray(ys, yo + i); } }
            default -> throw new AssertionError(op);
        }
        return end;
    }

    static int binaryRow(Pointwise.Binary op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        int end = F.loopBound(n), step = F.length();
        FloatVector sa = FloatVector.broadcast(F, a[ao]), sb = FloatVector.broadcast(F, b[bo]);
        // One loop per op and operand layout: a vector value merged from several branches would be boxed.
        int layout = as == 1 ? (bs == 1 ? 0 : 1) : 2;
        switch (op) {
            case ADD -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { FloatVector x = FloatVector.fromArray(F, a, ao + i), y = FloatVector.fromArray(F, b, bo + i); x.add(y).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { FloatVector x = FloatVector.fromArray(F, a, ao + i), y = sb; x.add(y).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { FloatVector x = sa, y = FloatVector.fromArray(F, b, bo + i); x.add(y).intoArray(o, oo + i); }
            }
            case SUB -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { FloatVector x = FloatVector.fromArray(F, a, ao + i), y = FloatVector.fromArray(F, b, bo + i); x.sub(y).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { FloatVector x = FloatVector.fromArray(F, a, ao + i), y = sb; x.sub(y).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { FloatVector x = sa, y = FloatVector.fromArray(F, b, bo + i); x.sub(y).intoArray(o, oo + i); }
            }
            case MUL -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { FloatVector x = FloatVector.fromArray(F, a, ao + i), y = FloatVector.fromArray(F, b, bo + i); x.mul(y).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { FloatVector x = FloatVector.fromArray(F, a, ao + i), y = sb; x.mul(y).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { FloatVector x = sa, y = FloatVector.fromArray(F, b, bo + i); x.mul(y).intoArray(o, oo + i); }
            }
            case DIV -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { FloatVector x = FloatVector.fromArray(F, a, ao + i), y = FloatVector.fromArray(F, b, bo + i); x.div(y).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { FloatVector x = FloatVector.fromArray(F, a, ao + i), y = sb; x.div(y).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { FloatVector x = sa, y = FloatVector.fromArray(F, b, bo + i); x.div(y).intoArray(o, oo + i); }
            }
            case RELU_GRAD -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { FloatVector x = FloatVector.fromArray(F, a, ao + i), y = FloatVector.fromArray(F, b, bo + i); x.blend(0f, y.compare(VectorOperators.LE, 0f)).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { FloatVector x = FloatVector.fromArray(F, a, ao + i), y = sb; x.blend(0f, y.compare(VectorOperators.LE, 0f)).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { FloatVector x = sa, y = FloatVector.fromArray(F, b, bo + i); x.blend(0f, y.compare(VectorOperators.LE, 0f)).intoArray(o, oo + i); }
            }
            default -> throw new AssertionError(op);
        }
        return end;
    }

    static int binaryRow(Pointwise.Binary op, double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int n) {
        int end = D.loopBound(n), step = D.length();
        DoubleVector sa = DoubleVector.broadcast(D, a[ao]), sb = DoubleVector.broadcast(D, b[bo]);
        // One loop per op and operand layout: a vector value merged from several branches would be boxed.
        int layout = as == 1 ? (bs == 1 ? 0 : 1) : 2;
        switch (op) {
            case ADD -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { DoubleVector x = DoubleVector.fromArray(D, a, ao + i), y = DoubleVector.fromArray(D, b, bo + i); x.add(y).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { DoubleVector x = DoubleVector.fromArray(D, a, ao + i), y = sb; x.add(y).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { DoubleVector x = sa, y = DoubleVector.fromArray(D, b, bo + i); x.add(y).intoArray(o, oo + i); }
            }
            case SUB -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { DoubleVector x = DoubleVector.fromArray(D, a, ao + i), y = DoubleVector.fromArray(D, b, bo + i); x.sub(y).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { DoubleVector x = DoubleVector.fromArray(D, a, ao + i), y = sb; x.sub(y).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { DoubleVector x = sa, y = DoubleVector.fromArray(D, b, bo + i); x.sub(y).intoArray(o, oo + i); }
            }
            case MUL -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { DoubleVector x = DoubleVector.fromArray(D, a, ao + i), y = DoubleVector.fromArray(D, b, bo + i); x.mul(y).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { DoubleVector x = DoubleVector.fromArray(D, a, ao + i), y = sb; x.mul(y).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { DoubleVector x = sa, y = DoubleVector.fromArray(D, b, bo + i); x.mul(y).intoArray(o, oo + i); }
            }
            case DIV -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { DoubleVector x = DoubleVector.fromArray(D, a, ao + i), y = DoubleVector.fromArray(D, b, bo + i); x.div(y).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { DoubleVector x = DoubleVector.fromArray(D, a, ao + i), y = sb; x.div(y).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { DoubleVector x = sa, y = DoubleVector.fromArray(D, b, bo + i); x.div(y).intoArray(o, oo + i); }
            }
            case RELU_GRAD -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { DoubleVector x = DoubleVector.fromArray(D, a, ao + i), y = DoubleVector.fromArray(D, b, bo + i); x.blend(0d, y.compare(VectorOperators.LE, 0d)).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { DoubleVector x = DoubleVector.fromArray(D, a, ao + i), y = sb; x.blend(0d, y.compare(VectorOperators.LE, 0d)).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { DoubleVector x = sa, y = DoubleVector.fromArray(D, b, bo + i); x.blend(0d, y.compare(VectorOperators.LE, 0d)).intoArray(o, oo + i); }
            }
            default -> throw new AssertionError(op);
        }
        return end;
    }

    /** {@code dst[d+i] += src[s+i]} over whole vectors of [0, n); returns how many elements it did. */
    static int accumulateRow(float[] dst, int d, float[] src, int s, int n) {
        int end = F.loopBound(n), step = F.length();
        for (int i = 0; i < end; i += step) {
            FloatVector.fromArray(F, dst, d + i).add(FloatVector.fromArray(F, src, s + i)).intoArray(dst, d + i);
        }
        return end;
    }

    static int axpyRow(float x, float[] src, int s, float[] dst, int d, int n) {
        int end = F.loopBound(n), step = F.length();
        for (int i = 0; i < end; i += step) {
            FloatVector.fromArray(F, dst, d + i).add(FloatVector.fromArray(F, src, s + i).mul(x)).intoArray(dst, d + i);
        }
        return end;
    }

    static int axpyRow(double x, double[] src, int s, double[] dst, int d, int n) {
        int end = D.loopBound(n), step = D.length();
        for (int i = 0; i < end; i += step) {
            DoubleVector.fromArray(D, dst, d + i).add(DoubleVector.fromArray(D, src, s + i).mul(x)).intoArray(dst, d + i);
        }
        return end;
    }

    static int accumulateRow(double[] dst, int d, double[] src, int s, int n) {
        int end = D.loopBound(n), step = D.length();
        for (int i = 0; i < end; i += step) {
            DoubleVector.fromArray(D, dst, d + i).add(DoubleVector.fromArray(D, src, s + i)).intoArray(dst, d + i);
        }
        return end;
    }
}
