// twin: float -> FloatSimdPointwise
package io.chainrule.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector bodies of the common {@link Pointwise} rows: neg, abs, square and relu (and, for floats, tanh and sigmoid);
 * add, sub, mul, div and the relu mask, with each operand either contiguous (stride 1) or a broadcast scalar
 * (stride 0). Same IEEE operation per element as the scalar loops, so results agree bit for bit. Each method covers
 * whole vectors and returns how many elements it did; the caller finishes the tail. One class per element type, so
 * each holds one vector species and its call sites bind to that species only.
 *
 * <p>Why not leave it to the JIT: C2 does not vectorize {@code o[oo+i] = a[ao+i] + b[bo+i]} when it cannot prove the
 * arrays distinct (in-place ops pass the same array), and never for stride-0 operands.
 *
 * <p>Only loaded after {@link Simd#ENABLED} confirmed that {@code jdk.incubator.vector} is resolvable.
 */
final class DoubleSimdPointwise {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /**
     * The species' concrete vector class. Each vector a method is called on is cast to it, results of operations
     * too: C2 then knows the exact receiver class and binds the call statically, instead of using the type profile
     * inside the JDK's DoubleVector, which other Vector API code in the JVM shares and may have made polymorphic (see
     * GemmGen; a result is not always known exact, e.g. fma's in SimdMath on JDK 17).
     */
    private static final Class<? extends DoubleVector> V = S.vectorType().asSubclass(DoubleVector.class);

    private DoubleSimdPointwise() {}

    /** Whether this class has a vector body for {@code op} with these strides. */
    static boolean handles(Pointwise.Binary op, int as, int bs) {
        return (as == 1 || as == 0) && (bs == 1 || bs == 0) && (as | bs) != 0
                && (op == Pointwise.Binary.ADD || op == Pointwise.Binary.SUB || op == Pointwise.Binary.MUL
                || op == Pointwise.Binary.DIV || op == Pointwise.Binary.RELU_GRAD);
    }

    /** Whether this class has a vector body for the unary {@code op}; floats also have tanh and sigmoid ({@link SimdMath}). */
    static boolean handles(Pointwise.Unary op) {
        return op == Pointwise.Unary.NEG || op == Pointwise.Unary.ABS || op == Pointwise.Unary.SQUARE || op == Pointwise.Unary.RELU
                // twin: float only: || op == Pointwise.Unary.TANH || op == Pointwise.Unary.SIGMOID
                ;
    }

    static int unary(Pointwise.Unary op, double[] xs, int xo, double[] ys, int yo, int n) {
        int end = S.loopBound(n), step = S.length();
        switch (op) {
            case NEG -> { for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(DoubleVector.fromArray(S, xs, xo + i)); V.cast(x.neg()).intoArray(ys, yo + i); } }
            case ABS -> { for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(DoubleVector.fromArray(S, xs, xo + i)); V.cast(x.abs()).intoArray(ys, yo + i); } }
            case SQUARE -> { for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(DoubleVector.fromArray(S, xs, xo + i)); V.cast(x.mul(x)).intoArray(ys, yo + i); } }
            case RELU -> { for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(DoubleVector.fromArray(S, xs, xo + i)); V.cast(x.blend(0d, x.compare(VectorOperators.LE, 0d))).intoArray(ys, yo + i); } }
            // twin: float only: case TANH -> { return SimdMath.sigmoidOrTanh(true, xs, xo, ys, yo, n); }
            // twin: float only: case SIGMOID -> { return SimdMath.sigmoidOrTanh(false, xs, xo, ys, yo, n); }
            default -> throw new AssertionError(op);
        }
        return end;
    }

    static int binaryRow(Pointwise.Binary op, double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int n) {
        int end = S.loopBound(n), step = S.length();
        DoubleVector sa = DoubleVector.broadcast(S, a[ao]), sb = DoubleVector.broadcast(S, b[bo]);
        // One loop per op and operand layout: a vector value merged from several branches would be boxed. sa and sb
        // reach the loops as values of the static type DoubleVector, so each loop casts them again (see V).
        int layout = as == 1 ? (bs == 1 ? 0 : 1) : 2;
        switch (op) {
            case ADD -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(DoubleVector.fromArray(S, a, ao + i)), y = V.cast(DoubleVector.fromArray(S, b, bo + i)); V.cast(x.add(y)).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(DoubleVector.fromArray(S, a, ao + i)), y = V.cast(sb); V.cast(x.add(y)).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(sa), y = V.cast(DoubleVector.fromArray(S, b, bo + i)); V.cast(x.add(y)).intoArray(o, oo + i); }
            }
            case SUB -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(DoubleVector.fromArray(S, a, ao + i)), y = V.cast(DoubleVector.fromArray(S, b, bo + i)); V.cast(x.sub(y)).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(DoubleVector.fromArray(S, a, ao + i)), y = V.cast(sb); V.cast(x.sub(y)).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(sa), y = V.cast(DoubleVector.fromArray(S, b, bo + i)); V.cast(x.sub(y)).intoArray(o, oo + i); }
            }
            case MUL -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(DoubleVector.fromArray(S, a, ao + i)), y = V.cast(DoubleVector.fromArray(S, b, bo + i)); V.cast(x.mul(y)).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(DoubleVector.fromArray(S, a, ao + i)), y = V.cast(sb); V.cast(x.mul(y)).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(sa), y = V.cast(DoubleVector.fromArray(S, b, bo + i)); V.cast(x.mul(y)).intoArray(o, oo + i); }
            }
            case DIV -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(DoubleVector.fromArray(S, a, ao + i)), y = V.cast(DoubleVector.fromArray(S, b, bo + i)); V.cast(x.div(y)).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(DoubleVector.fromArray(S, a, ao + i)), y = V.cast(sb); V.cast(x.div(y)).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(sa), y = V.cast(DoubleVector.fromArray(S, b, bo + i)); V.cast(x.div(y)).intoArray(o, oo + i); }
            }
            case RELU_GRAD -> {
                if (layout == 0) for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(DoubleVector.fromArray(S, a, ao + i)), y = V.cast(DoubleVector.fromArray(S, b, bo + i)); V.cast(x.blend(0d, y.compare(VectorOperators.LE, 0d))).intoArray(o, oo + i); }
                else if (layout == 1) for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(DoubleVector.fromArray(S, a, ao + i)), y = V.cast(sb); V.cast(x.blend(0d, y.compare(VectorOperators.LE, 0d))).intoArray(o, oo + i); }
                else for (int i = 0; i < end; i += step) { DoubleVector x = V.cast(sa), y = V.cast(DoubleVector.fromArray(S, b, bo + i)); V.cast(x.blend(0d, y.compare(VectorOperators.LE, 0d))).intoArray(o, oo + i); }
            }
            default -> throw new AssertionError(op);
        }
        return end;
    }

    /** {@code dst[d+i] += src[s+i]} over whole vectors of [0, n); returns how many elements it did. */
    static int accumulateRow(double[] dst, int d, double[] src, int s, int n) {
        int end = S.loopBound(n), step = S.length();
        for (int i = 0; i < end; i += step) {
            V.cast(V.cast(DoubleVector.fromArray(S, dst, d + i)).add(DoubleVector.fromArray(S, src, s + i))).intoArray(dst, d + i);
        }
        return end;
    }

    /** {@code dst[d+i] += x·src[s+i]} over whole vectors of [0, n), no fused multiply-add; returns how many it did. */
    static int axpyRow(double x, double[] src, int s, double[] dst, int d, int n) {
        int end = S.loopBound(n), step = S.length();
        for (int i = 0; i < end; i += step) {
            V.cast(V.cast(DoubleVector.fromArray(S, dst, d + i)).add(V.cast(DoubleVector.fromArray(S, src, s + i)).mul(x)))
                    .intoArray(dst, d + i);
        }
        return end;
    }
}
