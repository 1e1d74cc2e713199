// twin: float -> FloatPointwise
// twin: replace float p, float q => double p, double q
// twin: note the (double) casts are no-ops here; in the float twin they round Math's results.
package io.chainrule.tensor;

import io.chainrule.tensor.Pointwise.Binary;
import io.chainrule.tensor.Pointwise.Compare;
import io.chainrule.tensor.Pointwise.Unary;

// Each op is a switch case around its own loop so the JIT compiles one tight loop per op (no per-element dispatch).

/** The float64 rows of {@link Pointwise}. */
final class DoublePointwise {
    /** Rows shorter than this stay scalar: the vector set-up would not pay. */
    private static final int SIMD_MIN = 32;

    private DoublePointwise() {}

    /** {@code y[yo..yo+n) = op(x[xo..xo+n))}. */
    static void unary(Unary op, double p, double q, double[] xs, int xo, double[] ys, int yo, int n) {
        if (Simd.ENABLED && n >= SIMD_MIN && DoubleSimdPointwise.handles(op)) {
            int done = DoubleSimdPointwise.unary(op, xs, xo, ys, yo, n);
            xo += done;
            yo += done;
            n -= done;
        }
        double fp = (double) p, fq = (double) q; // the parameters in the element type; pow takes p as given
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = -x; } }
            case EXP -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = (double) Math.exp(x); } }
            case LOG -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = (double) Math.log(x); } }
            case SQRT -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = (double) Math.sqrt(x); } }
            case ABS -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = Math.abs(x); } }
            case SIN -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = (double) Math.sin(x); } }
            case COS -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = (double) Math.cos(x); } }
            case TANH -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = MathFns.tanh(x); } }
            case SIGMOID -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = MathFns.sigmoid(x); } }
            case RELU -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = x <= 0 ? 0d : x; } }
            case LEAKY_RELU -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = x > 0 ? x : x * fp; } }
            case GELU -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = (double) MathFns.gelu(x); } }
            case ERF -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = (double) MathFns.erf(x); } }
            case CLAMP -> { for (int i = 0; i < n; i++) { double x = xs[xo + i], t = x < fp ? fp : x; ys[yo + i] = t > fq ? fq : t; } }
            case POW -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = (double) Math.pow(x, p); } }
            case SQUARE -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = x * x; } }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = 1d / x; } }
            case SIGN -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = x > 0 ? 1d : (x < 0 ? -1d : 0d); } }
        }
    }

    /** One row: {@code o[oo+i] = op(a[ao+i*as], b[bo+i*bs])} for i in [0, n). */
    static void binaryRow(Binary op, double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int n) {
        if (Simd.ENABLED && n >= SIMD_MIN && DoubleSimdPointwise.handles(op, as, bs)) {
            int done = DoubleSimdPointwise.binaryRow(op, a, ao, as, b, bo, bs, o, oo, n);
            if (done == n) return;
            ao += done * as;
            bo += done * bs;
            oo += done;
            n -= done;
        }
        if (as == 1 && bs == 1) {
            switch (op) {
                case ADD -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = x + y; } }
                case SUB -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = x - y; } }
                case MUL -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = x * y; } }
                case DIV -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = x / y; } }
                case POW -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = (double) Math.pow(x, y); } }
                case MAXIMUM -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = Math.max(x, y); } }
                case MINIMUM -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = Math.min(x, y); } }
                case RELU_GRAD -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = y <= 0 ? 0d : x; } }
            }
            return;
        }
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x + y; } }
            case SUB -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x - y; } }
            case MUL -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x * y; } }
            case DIV -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x / y; } }
            case POW -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = (double) Math.pow(x, y); } }
            case MAXIMUM -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = Math.max(x, y); } }
            case MINIMUM -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = Math.min(x, y); } }
            case RELU_GRAD -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = y <= 0 ? 0d : x; } }
        }
    }

    /** One row of comparisons: {@code o[oo+i] = a[ao+i*as] op b[bo+i*bs]}. */
    static void compareRow(Compare op, double[] a, int ao, int as, double[] b, int bo, int bs, boolean[] o, int oo, int n) {
        switch (op) {
            case EQ -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x == y; } }
            case NE -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x != y; } }
            case GT -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x > y; } }
            case GE -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x >= y; } }
            case LT -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x < y; } }
            case LE -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x <= y; } }
        }
    }

    /**
     * {@code dst[d+i] += src[s+i]} for i in [0, n): the short rows of col2im, vectorized from a single vector up (the
     * JIT leaves it scalar when it cannot prove the arrays distinct). Same IEEE add per element either way.
     */
    static void accumulateRow(double[] dst, int d, double[] src, int s, int n) {
        int done = Simd.ENABLED ? DoubleSimdPointwise.accumulateRow(dst, d, src, s, n) : 0;
        for (int i = done; i < n; i++) dst[d + i] += src[s + i];
    }

    /** {@code dst[d+i] += x·src[s+i]} for i in [0, n): a product rounded, then a sum rounded (no fused multiply-add). */
    static void axpyRow(double x, double[] src, int s, double[] dst, int d, int n) {
        int done = Simd.ENABLED ? DoubleSimdPointwise.axpyRow(x, src, s, dst, d, n) : 0;
        for (int i = done; i < n; i++) dst[d + i] += x * src[s + i];
    }
}
