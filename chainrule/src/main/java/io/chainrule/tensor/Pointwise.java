package io.chainrule.tensor;

/**
 * Elementwise kernels on flat arrays: unary maps, broadcasting binary ops and comparisons. The ops are named here;
 * the typed rows are {@link DoublePointwise} and its generated float twin {@code FloatPointwise}, which these
 * methods pick by array type.
 */
public final class Pointwise {
    private Pointwise() {}

    /** Elementwise unary functions; {@code p} and {@code q} are the op's scalar parameters where it has them. */
    public enum Unary { NEG, EXP, LOG, SQRT, ABS, SIN, COS, TANH, SIGMOID, RELU, LEAKY_RELU, GELU, ERF, CLAMP, POW, SQUARE, RECIPROCAL, SIGN }

    /**
     * Elementwise binary arithmetic (NaN-propagating maximum and minimum, as in PyTorch). {@code RELU_GRAD} is relu's
     * backward, {@code b <= 0 ? 0 : a} with a the gradient and b relu's output (PyTorch's threshold_backward: a NaN
     * output passes the gradient, as relu passes a NaN input).
     */
    public enum Binary { ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, RELU_GRAD }

    /** Elementwise comparisons producing booleans. */
    public enum Compare { EQ, NE, GT, GE, LT, LE }

    /** {@code y[yo..yo+n) = op(x[xo..xo+n))} on arrays that are both float[] or both double[]. */
    public static void unary(Unary op, double p, double q, Object xs, int xo, Object ys, int yo, int n) {
        if (xs instanceof float[] xf) FloatPointwise.unary(op, p, q, xf, xo, (float[]) ys, yo, n);
        else DoublePointwise.unary(op, p, q, (double[]) xs, xo, (double[]) ys, yo, n);
    }

    /** One row, {@code o[oo+i] = op(a[ao+i*as], b[bo+i*bs])} for i in [0, n), on arrays all float[] or all double[]. */
    public static void binaryRow(Binary op, Object a, int ao, int as, Object b, int bo, int bs, Object o, int oo, int n) {
        if (o instanceof float[] of) FloatPointwise.binaryRow(op, (float[]) a, ao, as, (float[]) b, bo, bs, of, oo, n);
        else DoublePointwise.binaryRow(op, (double[]) a, ao, as, (double[]) b, bo, bs, (double[]) o, oo, n);
    }

    /** {@code dst[d+i] += src[s+i]} for i in [0, n), both float[] or both double[]. */
    public static void accumulateRow(Object dst, int d, Object src, int s, int n) {
        if (dst instanceof float[] df) FloatPointwise.accumulateRow(df, d, (float[]) src, s, n);
        else DoublePointwise.accumulateRow((double[]) dst, d, (double[]) src, s, n);
    }
}
